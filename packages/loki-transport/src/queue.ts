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

/**
 * The batches not yet accepted: a FIFO of those waiting for a send slot and
 * the set of those in flight. Byte counts are kept apart for bodies held in
 * memory (bounded by `queueBytes`) and batches only on disk (`spoolBytes`).
 * Batches in flight are never evicted.
 */
export class BatchQueue {
  #items: QueueItem[] = [];
  #head = 0;
  readonly #inFlight = new Set<QueueItem>();
  /** Encoded bytes of every batch, waiting or in flight. */
  bytes = 0;
  /** Of those, the bytes whose body is in memory. */
  memoryBytes = 0;
  lines = 0;
  /** Batches that live only on disk. */
  diskBatches = 0;

  /** Batches waiting or in flight. */
  get length(): number {
    return this.waiting + this.#inFlight.size;
  }

  /** Batches waiting for a send slot. */
  get waiting(): number {
    return this.#items.length - this.#head;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Bytes of batches that live only on disk. */
  get diskBytes(): number {
    return this.bytes - this.memoryBytes;
  }

  #add(item: QueueItem): void {
    this.bytes += item.size;
    if (item.body !== null) this.memoryBytes += item.size;
    else this.diskBatches++;
    this.lines += item.lines;
  }

  #sub(item: QueueItem): void {
    this.bytes -= item.size;
    if (item.body !== null) this.memoryBytes -= item.size;
    else this.diskBatches--;
    this.lines -= item.lines;
  }

  push(item: QueueItem): void {
    this.#items.push(item);
    this.#add(item);
  }

  /** Moves the oldest waiting batch in flight and returns it. */
  take(): QueueItem | undefined {
    const item = this.#shiftWaiting();
    if (item !== undefined) this.#inFlight.add(item);
    return item;
  }

  #shiftWaiting(): QueueItem | undefined {
    const item = this.#items[this.#head];
    if (item === undefined) return undefined;
    this.#items[this.#head++] = undefined as unknown as QueueItem;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Removes a batch in flight (sent, split or finally dropped). */
  done(item: QueueItem): void {
    if (this.#inFlight.delete(item)) this.#sub(item);
  }

  /** Puts a batch in flight back in front of the waiting ones (its attempt was cut short by stop()). */
  release(item: QueueItem): void {
    if (this.#inFlight.delete(item)) this.#items.splice(this.#head, 0, item);
  }

  /** Removes the oldest waiting batch held in memory (`disk: false`) or on disk (`disk: true`), or undefined. */
  evictOldest(disk: boolean): QueueItem | undefined {
    for (let i = this.#head; i < this.#items.length; i++) {
      const item = this.#items[i]!;
      if ((item.body === null) !== disk) continue;
      if (i === this.#head) this.#shiftWaiting();
      else this.#items.splice(i, 1);
      this.#sub(item);
      return item;
    }
    return undefined;
  }

  /** Puts batches in front of the waiting ones (the halves of a split batch). */
  unshiftMany(items: QueueItem[]): void {
    this.#items.splice(this.#head, 0, ...items);
    for (const item of items) this.#add(item);
  }

  /** Every batch not yet accepted, in flight first, then waiting, oldest first. */
  all(): QueueItem[] {
    return [...this.#inFlight, ...this.#items.slice(this.#head)];
  }

  /** Empties the queue and returns what was in it. */
  drain(): QueueItem[] {
    const rest = this.all();
    this.#items = [];
    this.#head = 0;
    this.#inFlight.clear();
    this.bytes = 0;
    this.memoryBytes = 0;
    this.lines = 0;
    this.diskBatches = 0;
    return rest;
  }
}
