import { StreamClock } from './batch.js';
import type { Payload } from './payload.js';
import { entryLen, fieldLen, splitTime, TAG_1_LEN, writeEntry, writeString, writeVarint } from './protobuf.js';
import { snappyCompressParts } from './snappy.js';

// The protobuf batch is written as lines arrive: each entry (a
// logproto.EntryAdapter inside StreamAdapter.entries, tags from protobuf.ts)
// is encoded straight into a buffer of its own stream. Sealing compresses
// each stream's header and then its buffer as they are, with no assembled
// copy of the batch. A stream's buffer is kept for its next batch, so a busy
// logger allocates one buffer per batch (the compressed body), not one
// object per line.

/** Buffers bigger than this are let go after a batch rather than kept for the next. */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;
/** The first buffer of a stream; it doubles as the stream grows. */
const FIRST_STREAM_BYTES = 2048;

interface StreamInfo {
  selector: string;
  selectorBytes: number;
  /** This stream's encoded entries, `used` bytes of them. */
  buf: Buffer;
  used: number;
}

/**
 * The batch being built for the protobuf wire format: lines grouped by label
 * set, encoded as they are added. `bytes` is the exact size of the
 * uncompressed `PushRequest`.
 */
export class ProtoBatchBuilder {
  // Stream headers of the batch being compressed (reused).
  #heads = Buffer.allocUnsafe(4096);
  #streams = new Map<string, StreamInfo>();
  #list: StreamInfo[] = [];
  // Stream buffers of earlier batches by stream, ready for reuse, and their total size.
  #kept = new Map<string, Buffer>();
  #keptBytes = 0;
  #count = 0;
  #bytes = 0;
  #lineBytes = 0;
  // Metadata sizes of the entry being added (reused).
  #metaSizes: number[] = [];
  readonly #clock: StreamClock;

  constructor(clock: StreamClock = new StreamClock()) {
    this.#clock = clock;
  }

  get bytes(): number {
    return this.#bytes;
  }
  get lines(): number {
    return this.#count;
  }

  /** Adds one line to its stream; returns the batch's byte size afterwards. */
  add(
    selector: string,
    _labels: Record<string, string>,
    time: number,
    line: string,
    bytes: number,
    meta: Array<[string, string]> | null,
  ): number {
    let stream = this.#streams.get(selector);
    if (stream === undefined) {
      stream = { selector, selectorBytes: Buffer.byteLength(selector), buf: this.#bufferFor(selector), used: 0 };
      this.#streams.set(selector, stream);
      this.#list.push(stream);
      // The stream's own header: tag + length (counted at its largest) + the selector field.
      this.#bytes += 1 + 5 + fieldLen(stream.selectorBytes);
    }
    const { ms, sub } = this.#clock.stamp(selector, time);
    const { seconds, nanos } = splitTime(ms, sub);
    const sizes = this.#metaSizes;
    // Setting an array's length is a runtime call: only when there are sizes to clear.
    if (meta !== null && sizes.length > 0) sizes.length = 0;
    const len = entryLen(seconds, nanos, bytes, meta, sizes);
    const total = fieldLen(len);
    if (stream.used + total > stream.buf.length) this.#grow(stream, total);
    stream.used = writeEntry(stream.buf, stream.used, len, seconds, nanos, line, bytes, meta, sizes, 0);
    this.#count++;
    this.#bytes += total;
    this.#lineBytes += bytes;
    return this.#bytes;
  }

  /** The buffer this stream had in an earlier batch (already grown to its usual size), else any kept one. */
  #bufferFor(selector: string): Buffer {
    let buf = this.#kept.get(selector);
    if (buf !== undefined) this.#kept.delete(selector);
    else {
      const first = this.#kept.entries().next();
      if (first.done) return Buffer.allocUnsafe(FIRST_STREAM_BYTES);
      buf = first.value[1];
      this.#kept.delete(first.value[0]);
    }
    this.#keptBytes -= buf.length;
    return buf;
  }

  #grow(stream: StreamInfo, need: number): void {
    const next = Buffer.allocUnsafe(Math.max(stream.buf.length * 2, stream.used + need));
    stream.buf.copy(next, 0, 0, stream.used);
    stream.buf = next;
  }

  /**
   * The `PushRequest` as pieces in order: each stream's header (tag, length,
   * selector), then its entries straight from its buffer. Views, valid until
   * the next batch starts filling.
   */
  #pieces(): Uint8Array[] {
    const list = this.#list;
    let headBytes = 0;
    for (const s of list) headBytes += 1 + 5 + fieldLen(s.selectorBytes);
    if (this.#heads.length < headBytes) this.#heads = Buffer.allocUnsafe(Math.max(headBytes, 4096));
    const heads = this.#heads;
    const pieces: Uint8Array[] = [];
    let pos = 0;
    for (const s of list) {
      const from = pos;
      heads[pos++] = TAG_1_LEN;
      pos = writeVarint(heads, pos, fieldLen(s.selectorBytes) + s.used);
      pos = writeString(heads, pos, TAG_1_LEN, s.selector, s.selectorBytes);
      pieces.push(heads.subarray(from, pos), s.buf.subarray(0, s.used));
    }
    return pieces;
  }

  #reset(): { lines: number; lineBytes: number } {
    const counts = { lines: this.#count, lineBytes: this.#lineBytes };
    for (const s of this.#list) {
      if (this.#keptBytes + s.buf.length > MAX_KEPT_BYTES || this.#kept.has(s.selector)) continue;
      this.#kept.set(s.selector, s.buf);
      this.#keptBytes += s.buf.length;
    }
    this.#streams = new Map();
    this.#list = [];
    this.#count = 0;
    this.#bytes = 0;
    this.#lineBytes = 0;
    if (this.#heads.length > MAX_KEPT_BYTES) this.#heads = Buffer.allocUnsafe(4096);
    return counts;
  }

  /** The uncompressed `PushRequest` of the current batch, as a buffer of its own (and starts a new one). */
  takeBody(): { body: Buffer; lines: number; lineBytes: number } {
    const body = Buffer.concat(this.#pieces());
    return { body, ...this.#reset() };
  }

  /** The current batch as a snappy-compressed protobuf payload (and starts a new one), compressed piece by piece without assembling it. */
  takePayload(): Payload {
    const body = snappyCompressParts(this.#pieces());
    return { body, wire: 'protobuf', gzip: false, ...this.#reset() };
  }
}
