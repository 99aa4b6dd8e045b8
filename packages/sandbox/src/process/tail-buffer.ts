/**
 * The last N bytes of a stream in a fixed ring: memory stays at N however
 * much the stream writes.
 */
import { CODES, sandboxError } from '../errors.js';

/** What a tail looks like when read. */
export interface TailSnapshot {
  /** The kept text (never a marker: how much came before it is `droppedBytes`). */
  text: string;
  /** Bytes written before the kept part (including a cut character). */
  droppedBytes: number;
  /** Bytes written in total. */
  totalBytes: number;
}

/** A bounded byte tail; `push` copies, so callers may reuse their buffers. */
export class TailBuffer {
  readonly #capacity: number;
  #ring: Buffer | null = null;
  #pos = 0;
  #length = 0;
  #total = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw sandboxError(
        TypeError,
        CODES.INVALID_OPTION,
        `tailBytes must be a non-negative integer, got ${String(capacity)}`,
      );
    }
    this.#capacity = capacity;
  }

  get totalBytes(): number {
    return this.#total;
  }

  push(chunk: Buffer): void {
    const cap = this.#capacity;
    const n = chunk.length;
    this.#total += n;
    if (cap === 0 || n === 0) return;
    this.#ring ??= Buffer.allocUnsafe(cap);
    const ring = this.#ring;
    if (n >= cap) {
      chunk.copy(ring, 0, n - cap);
      this.#pos = 0;
      this.#length = cap;
      return;
    }
    const first = Math.min(n, cap - this.#pos);
    chunk.copy(ring, this.#pos, 0, first);
    if (first < n) chunk.copy(ring, 0, first);
    this.#pos = (this.#pos + n) % cap;
    this.#length = Math.min(cap, this.#length + n);
  }

  /** Appends text as UTF-8, written straight into the ring when it fits (no copy of its own). */
  pushText(text: string): void {
    const cap = this.#capacity;
    const pos = this.#pos;
    if (cap !== 0 && this.#ring !== null && text.length * 3 <= cap - pos) {
      const n = this.#ring.write(text, pos, 'utf8');
      this.#total += n;
      this.#pos = (pos + n) % cap;
      this.#length = Math.min(cap, this.#length + n);
      return;
    }
    if (cap !== 0 && text.length > cap) {
      this.#pushLast(text);
      return;
    }
    const n = Buffer.byteLength(text, 'utf8');
    if (cap === 0 || n !== text.length) {
      this.push(Buffer.from(text));
      return;
    }
    // ASCII (one byte per character) no longer than the ring: written straight in, in two parts when it wraps.
    const ring = (this.#ring ??= Buffer.allocUnsafe(cap));
    const first = Math.min(n, cap - pos);
    ring.write(text, pos, first, 'latin1');
    if (first < n) ring.write(text.slice(first), 0, n - first, 'latin1');
    this.#total += n;
    this.#pos = (pos + n) % cap;
    this.#length = Math.min(cap, this.#length + n);
  }

  /**
   * Text longer than the ring (a whole clean chunk): only its last `cap`
   * characters are encoded, as they are at least `cap` bytes. The cut never
   * splits a surrogate pair, so the bytes kept and counted are those of the
   * whole text.
   */
  #pushLast(text: string): void {
    const cap = this.#capacity;
    let from = text.length - cap;
    const c = text.charCodeAt(from);
    if (c >= 0xdc00 && c <= 0xdfff) {
      const p = text.charCodeAt(from - 1);
      if (p >= 0xd800 && p <= 0xdbff) from--;
    }
    const last = text.slice(from);
    const lastBytes = Buffer.byteLength(last, 'utf8');
    this.#total += Buffer.byteLength(text, 'utf8') - lastBytes;
    if (lastBytes === cap) {
      // One byte per character: straight into the ring.
      this.#ring ??= Buffer.allocUnsafe(cap);
      this.#ring.write(last, 0, 'utf8');
      this.#total += cap;
      this.#pos = 0;
      this.#length = cap;
      return;
    }
    this.push(Buffer.from(last));
  }

  /** The kept bytes in order. */
  bytes(): Buffer {
    const ring = this.#ring;
    if (ring === null || this.#length === 0) return Buffer.alloc(0);
    if (this.#length < this.#capacity) return Buffer.from(ring.subarray(0, this.#length));
    return Buffer.concat([ring.subarray(this.#pos), ring.subarray(0, this.#pos)]);
  }

  /** The tail as text; a character cut at the start is dropped, invalid UTF-8 replaced. */
  snapshot(): TailSnapshot {
    let bytes = this.bytes();
    let dropped = this.#total - bytes.length;
    if (dropped > 0) {
      let skip = 0;
      while (skip < bytes.length && skip < 3 && (bytes[skip]! & 0xc0) === 0x80) skip++;
      bytes = bytes.subarray(skip);
      dropped += skip;
    }
    return {
      text: bytes.toString('utf8'),
      droppedBytes: dropped,
      totalBytes: this.#total,
    };
  }
}
