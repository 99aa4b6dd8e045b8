import { StreamClock } from './batch.js';
import type { Payload } from './payload.js';
import { entryLen, fieldLen, splitTime, TAG_1_LEN, writeEntry, writeString, writeVarint } from './protobuf.js';
import { snappyCompress } from './snappy.js';

// The protobuf batch is written as lines arrive: each entry (a
// logproto.EntryAdapter inside StreamAdapter.entries, tags from protobuf.ts)
// is encoded into one arena, in arrival order, with its stream noted in typed
// arrays. Sealing groups the entries by stream with one copy each. The arena
// and the output buffer are kept from batch to batch, so a busy logger
// allocates one buffer per batch (the compressed body), not one object per
// line.

/** Buffers bigger than this are let go after a batch rather than kept for the next. */
const MAX_KEPT_BYTES = 8 * 1024 * 1024;

interface StreamInfo {
  index: number;
  selector: string;
  selectorBytes: number;
  /** Bytes of this stream's encoded entries. */
  bytes: number;
}

/**
 * The batch being built for the protobuf wire format: lines grouped by label
 * set, encoded as they are added. `bytes` is the exact size of the
 * uncompressed `PushRequest`.
 */
export class ProtoBatchBuilder {
  #arena = Buffer.allocUnsafe(64 * 1024);
  #used = 0;
  #out: Buffer | null = null;
  // Per entry: its stream and where it ends in the arena (it starts where the previous one ends).
  #entryStream = new Int32Array(1024);
  #entryEnd = new Int32Array(1024);
  #count = 0;
  #streams = new Map<string, StreamInfo>();
  #list: StreamInfo[] = [];
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
  add(selector: string, _labels: Record<string, string>, time: number, line: string, bytes: number, meta: Array<[string, string]> | null): number {
    let stream = this.#streams.get(selector);
    if (stream === undefined) {
      stream = { index: this.#list.length, selector, selectorBytes: Buffer.byteLength(selector), bytes: 0 };
      this.#streams.set(selector, stream);
      this.#list.push(stream);
      // The stream's own header: tag + length (counted at its largest) + the selector field.
      this.#bytes += 1 + 5 + fieldLen(stream.selectorBytes);
    }
    const { ms, sub } = this.#clock.stamp(selector, time);
    const { seconds, nanos } = splitTime(ms, sub);
    const sizes = this.#metaSizes;
    sizes.length = 0;
    const len = entryLen(seconds, nanos, bytes, meta, sizes);
    const total = fieldLen(len);
    const pos = writeEntry(this.#reserve(total), this.#used, len, seconds, nanos, line, bytes, meta, sizes, 0);
    this.#used = pos;
    if (this.#count === this.#entryEnd.length) this.#growIndex();
    this.#entryStream[this.#count] = stream.index;
    this.#entryEnd[this.#count] = pos;
    this.#count++;
    stream.bytes += total;
    this.#bytes += total;
    this.#lineBytes += bytes;
    return this.#bytes;
  }

  #reserve(n: number): Buffer {
    if (this.#used + n > this.#arena.length) {
      const next = Buffer.allocUnsafe(Math.max(this.#arena.length * 2, this.#used + n));
      this.#arena.copy(next, 0, 0, this.#used);
      this.#arena = next;
    }
    return this.#arena;
  }

  #growIndex(): void {
    const size = this.#entryEnd.length * 2;
    const stream = new Int32Array(size);
    const end = new Int32Array(size);
    stream.set(this.#entryStream);
    end.set(this.#entryEnd);
    this.#entryStream = stream;
    this.#entryEnd = end;
  }

  /** Groups the entries by stream into the output buffer; returns the `PushRequest` as a view of it. */
  #assemble(): Buffer {
    const list = this.#list;
    const cursor = new Array<number>(list.length);
    let size = 0;
    for (const s of list) {
      const len = fieldLen(s.selectorBytes) + s.bytes;
      size += fieldLen(len);
    }
    let out = this.#out;
    if (out === null || out.length < size) out = this.#out = Buffer.allocUnsafe(Math.max(size, 64 * 1024));
    let pos = 0;
    for (const s of list) {
      out[pos++] = TAG_1_LEN;
      pos = writeVarint(out, pos, fieldLen(s.selectorBytes) + s.bytes);
      pos = writeString(out, pos, TAG_1_LEN, s.selector, s.selectorBytes);
      cursor[s.index] = pos;
      pos += s.bytes;
    }
    const arena = this.#arena;
    const streamOf = this.#entryStream;
    const endOf = this.#entryEnd;
    let start = 0;
    for (let i = 0; i < this.#count; i++) {
      const end = endOf[i]!;
      const s = streamOf[i]!;
      const at = cursor[s]!;
      const len = end - start;
      // Entries are short: a loop beats a native copy call for them.
      if (len <= 64) for (let k = 0; k < len; k++) out[at + k] = arena[start + k]!;
      else arena.copy(out, at, start, end);
      cursor[s] = at + len;
      start = end;
    }
    return out.subarray(0, size);
  }

  #reset(): { lines: number; lineBytes: number } {
    const counts = { lines: this.#count, lineBytes: this.#lineBytes };
    this.#streams = new Map();
    this.#list = [];
    this.#used = 0;
    this.#count = 0;
    this.#bytes = 0;
    this.#lineBytes = 0;
    if (this.#arena.length > MAX_KEPT_BYTES) this.#arena = Buffer.allocUnsafe(64 * 1024);
    if (this.#out !== null && this.#out.length > MAX_KEPT_BYTES) this.#out = null;
    if (this.#entryEnd.length > 1 << 20) {
      this.#entryEnd = new Int32Array(1024);
      this.#entryStream = new Int32Array(1024);
    }
    return counts;
  }

  /** The uncompressed `PushRequest` of the current batch, as a buffer of its own (and starts a new one). */
  takeBody(): { body: Buffer; lines: number; lineBytes: number } {
    const body = Buffer.from(this.#assemble());
    return { body, ...this.#reset() };
  }

  /** The current batch as a snappy-compressed protobuf payload (and starts a new one). */
  takePayload(): Payload {
    const body = snappyCompress(this.#assemble());
    return { body, wire: 'protobuf', gzip: false, ...this.#reset() };
  }
}
