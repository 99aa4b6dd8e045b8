/** What a stream handler gives up when its pending lines would exceed the bound. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest';

/**
 * Lines waiting for a stream that asked to stop (`write()` returned false),
 * bounded in bytes. Dropping from the front is O(1): a head index moves and the
 * array is compacted once the dead part dominates.
 */
export class PendingLines {
  readonly max: number;
  readonly policy: OverflowPolicy;
  #lines: string[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;

  constructor(max: number, policy: OverflowPolicy) {
    this.max = max;
    this.policy = policy;
  }

  /** Bytes (UTF-8) of the lines held. */
  get bytes(): number {
    return this.#bytes;
  }

  get length(): number {
    return this.#lines.length - this.#head;
  }

  /** Queues `text`; returns how many lines were dropped to stay within the bound (the new one or old ones). */
  add(text: string): number {
    // text.length <= bytes: a line that cannot fit by its length alone needs no byte count.
    if (this.policy === 'drop-newest' && this.#bytes + text.length > this.max) return 1;
    const size = Buffer.byteLength(text);
    if (size > this.max) return 1;
    let dropped = 0;
    if (this.#bytes + size > this.max) {
      if (this.policy === 'drop-newest') return 1;
      while (this.#bytes + size > this.max) {
        this.#bytes -= this.#sizes[this.#head]!;
        this.#lines[this.#head] = '';
        this.#head++;
        dropped++;
      }
      this.#compact();
    }
    this.#lines.push(text);
    this.#sizes.push(size);
    this.#bytes += size;
    return dropped;
  }

  /** Removes the oldest lines, joined, up to about `limit` bytes (at least one line). */
  take(limit: number): string {
    let text = '';
    let taken = 0;
    while (this.#head < this.#lines.length && (taken === 0 || taken + this.#sizes[this.#head]! <= limit)) {
      text += this.#lines[this.#head]!;
      taken += this.#sizes[this.#head]!;
      this.#head++;
    }
    this.#bytes -= taken;
    this.#compact();
    return text;
  }

  /** Empties the queue; returns how many lines it held. */
  clear(): number {
    const n = this.length;
    this.#lines = [];
    this.#sizes = [];
    this.#head = 0;
    this.#bytes = 0;
    return n;
  }

  #compact(): void {
    if (this.#head === this.#lines.length) {
      this.#lines = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
  }
}
