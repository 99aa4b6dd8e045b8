import type { StreamClock } from './batch.js';
import { snappyCompress } from './snappy.js';
import type { Payload } from './payload.js';

// The protobuf batch is written as lines arrive: each entry of a stream goes
// straight into that stream's byte buffer (logproto.EntryAdapter inside
// StreamAdapter.entries, field numbers as in protobuf.ts), so a batch holds
// bytes, not one object per line, and sealing is one copy plus snappy.
const TAG_1_LEN = 0x0a;
const TAG_2_LEN = 0x12;
const TAG_3_LEN = 0x1a;
const TAG_1_VARINT = 0x08;
const TAG_2_VARINT = 0x10;

function varintLen(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function fieldLen(payload: number): number {
  return 1 + varintLen(payload) + payload;
}

const MAX_SPARE_BYTES = 256 * 1024;

type FastBuffer = Buffer & { utf8Write(text: string, offset: number, length: number): number };
const HAS_UTF8_WRITE = typeof (Buffer.prototype as Partial<FastBuffer>).utf8Write === 'function';

/** One stream's entries, already encoded. */
class StreamBytes {
  buf: Buffer;
  len = 0;
  constructor(
    readonly selector: string,
    readonly selectorBytes: number,
    size: number,
  ) {
    this.buf = Buffer.allocUnsafe(Math.max(256, size));
  }

  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.buf[this.len++] = b;
  }

  varint(n: number): void {
    const buf = this.buf;
    while (n >= 0x80) {
      buf[this.len++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    buf[this.len++] = n;
  }

  string(tag: number, text: string, bytes: number): void {
    this.buf[this.len++] = tag;
    this.varint(bytes);
    if (bytes === 0) return;
    this.len += HAS_UTF8_WRITE ? (this.buf as FastBuffer).utf8Write(text, this.len, bytes) : this.buf.write(text, this.len, bytes, 'utf8');
  }
}

/**
 * The batch being built for the protobuf wire format: lines grouped by label
 * set, encoded as they are added. `bytes` is the exact size of the
 * uncompressed `PushRequest`.
 */
export class ProtoBatchBuilder {
  #streams = new Map<string, StreamBytes>();
  // Buffers of the last batch's streams, reused by the next one (they grow once, not every batch).
  #spare = new Map<string, StreamBytes>();
  #bytes = 0;
  #lines = 0;
  #lineBytes = 0;
  readonly #clock: StreamClock;

  constructor(clock: StreamClock) {
    this.#clock = clock;
  }

  get bytes(): number {
    return this.#bytes;
  }
  get lines(): number {
    return this.#lines;
  }

  /** Adds one line to its stream; returns the batch's byte size afterwards. */
  add(selector: string, _labels: Record<string, string>, time: number, line: string, bytes: number, meta: Array<[string, string]> | null): number {
    let stream = this.#streams.get(selector);
    if (stream === undefined) {
      stream = this.#spare.get(selector);
      if (stream === undefined) stream = new StreamBytes(selector, Buffer.byteLength(selector), 4 * (bytes + 32));
      else this.#spare.delete(selector);
      const selectorBytes = stream.selectorBytes;
      this.#streams.set(selector, stream);
      // The stream's own header: tag + length (counted at its largest) + the selector field.
      this.#bytes += 1 + 5 + fieldLen(selectorBytes);
    }
    const { ms, sub } = this.#clock.stamp(selector, time);
    const seconds = Math.floor(ms / 1000);
    const nanos = (ms - seconds * 1000) * 1e6 + sub;
    const tsLen = (seconds > 0 ? 1 + varintLen(seconds) : 0) + (nanos > 0 ? 1 + varintLen(nanos) : 0);
    let entryLen = fieldLen(tsLen) + (bytes > 0 ? fieldLen(bytes) : 0);
    let metaSizes: number[] | null = null;
    if (meta !== null) {
      metaSizes = [];
      for (const [name, value] of meta) {
        const n = Buffer.byteLength(name);
        const v = Buffer.byteLength(value);
        const pair = (n > 0 ? fieldLen(n) : 0) + (v > 0 ? fieldLen(v) : 0);
        metaSizes.push(n, v, pair);
        entryLen += fieldLen(pair);
      }
    }
    const total = fieldLen(entryLen);
    stream.reserve(total);
    stream.byte(TAG_2_LEN);
    stream.varint(entryLen);
    stream.byte(TAG_1_LEN);
    stream.varint(tsLen);
    if (seconds > 0) {
      stream.byte(TAG_1_VARINT);
      stream.varint(seconds);
    }
    if (nanos > 0) {
      stream.byte(TAG_2_VARINT);
      stream.varint(nanos);
    }
    if (bytes > 0) stream.string(TAG_2_LEN, line, bytes);
    if (meta !== null) {
      let mi = 0;
      for (const [name, value] of meta) {
        const n = metaSizes![mi++]!;
        const v = metaSizes![mi++]!;
        stream.byte(TAG_3_LEN);
        stream.varint(metaSizes![mi++]!);
        if (n > 0) stream.string(TAG_1_LEN, name, n);
        if (v > 0) stream.string(TAG_2_LEN, value, v);
      }
    }
    this.#bytes += total;
    this.#lines++;
    this.#lineBytes += bytes;
    return this.#bytes;
  }

  /** The uncompressed `PushRequest` of the current batch (and starts a new one). */
  takeBody(): { body: Buffer; lines: number; lineBytes: number } {
    const streams = [...this.#streams.values()];
    let size = 0;
    const lens: number[] = [];
    for (const s of streams) {
      const len = fieldLen(s.selectorBytes) + s.len;
      lens.push(len);
      size += fieldLen(len);
    }
    const out = Buffer.allocUnsafe(size);
    let pos = 0;
    const varint = (n: number): void => {
      while (n >= 0x80) {
        out[pos++] = (n & 0x7f) | 0x80;
        n = Math.floor(n / 128);
      }
      out[pos++] = n;
    };
    for (let i = 0; i < streams.length; i++) {
      const s = streams[i]!;
      out[pos++] = TAG_1_LEN;
      varint(lens[i]!);
      out[pos++] = TAG_1_LEN;
      varint(s.selectorBytes);
      pos += out.write(s.selector, pos, s.selectorBytes, 'utf8');
      pos += s.buf.copy(out, pos, 0, s.len);
    }
    const result = { body: out, lines: this.#lines, lineBytes: this.#lineBytes };
    // Keep modest buffers of a modest number of streams for the next batch.
    if (this.#spare.size > 1000) this.#spare.clear();
    for (const s of streams) {
      if (s.buf.length > MAX_SPARE_BYTES) continue;
      s.len = 0;
      this.#spare.set(s.selector, s);
    }
    this.#streams = new Map();
    this.#bytes = 0;
    this.#lines = 0;
    this.#lineBytes = 0;
    return result;
  }

  /** The current batch as a snappy-compressed protobuf payload (and starts a new one). */
  takePayload(): Payload {
    const { body, lines, lineBytes } = this.takeBody();
    return { body: snappyCompress(body), wire: 'protobuf', gzip: false, lines, lineBytes };
  }
}
