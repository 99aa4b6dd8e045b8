import type { Payload } from './payload.js';

/** A batch waiting to be sent: its body in memory, or only in a spool file. */
export interface QueueItem {
  body: Buffer | null;
  file: string | null;
  size: number;
  lines: number;
  lineBytes: number;
  wire: Payload['wire'];
  gzip: boolean;
}

/** FIFO of batches with a byte count; the head may be in flight and is never evicted. */
export class BatchQueue {
  #items: QueueItem[] = [];
  #head = 0;
  bytes = 0;
  lines = 0;
  headInFlight = false;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: QueueItem): void {
    this.#items.push(item);
    this.bytes += item.size;
    this.lines += item.lines;
  }

  peek(): QueueItem | undefined {
    return this.#items[this.#head];
  }

  /** Removes the head (after it was sent or finally dropped). */
  shift(): QueueItem | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    this.#items[this.#head++] = undefined as unknown as QueueItem;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.bytes -= item.size;
    this.lines -= item.lines;
    this.headInFlight = false;
    return item;
  }

  /** Removes the oldest batch that is not in flight (drop-oldest), or undefined. */
  evictOldest(): QueueItem | undefined {
    if (!this.headInFlight) return this.shift();
    if (this.length < 2) return undefined;
    const [item] = this.#items.splice(this.#head + 1, 1);
    this.bytes -= item!.size;
    this.lines -= item!.lines;
    return item;
  }

  /** Puts batches in front (the halves of a split head). */
  unshiftMany(items: QueueItem[]): void {
    this.#items.splice(this.#head, 0, ...items);
    for (const item of items) {
      this.bytes += item.size;
      this.lines += item.lines;
    }
  }

  /** Empties the queue and returns what was in it. */
  drain(): QueueItem[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    this.bytes = 0;
    this.lines = 0;
    this.headInFlight = false;
    return rest;
  }
}
