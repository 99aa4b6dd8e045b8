/** Where SSE events go: an HTTP response (its socket's own buffer counted by `writableLength`). */
export interface SseSink {
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
}

/** What the socket may hold before events wait in the connection's own, bounded, queue. */
const SOCKET_SOFT_LIMIT = 64 * 1024;
/** Sent or dropped slots the queue may keep before it is compacted (so its length follows its bytes). */
const COMPACT_AFTER = 256;

interface Pending {
  text: string;
  bytes: number;
  /** Log lines may be dropped (oldest first); status and control events never are. */
  droppable: boolean;
}

/**
 * One SSE connection with a bounded buffer. Events go straight to the socket
 * while it keeps up; past `SOCKET_SOFT_LIMIT` they wait here, at most
 * `maxBytes`, and when that is full the oldest log lines go. Before the next
 * event after a loss the client gets `event: gap` with the number of lines it
 * missed (it may reconnect with `Last-Event-ID` to fetch what history still holds).
 */
export class SseConnection {
  readonly maxBytes: number;
  #sink: SseSink;
  #queue: Pending[] = [];
  #head = 0;
  #queuedBytes = 0;
  #gap = 0;
  /** Where the search for the oldest droppable line starts (everything before it is sent or dropped). */
  #scan = 0;
  /** Slots at or after `#head` whose line was dropped (kept until the next compaction). */
  #holes = 0;
  #waiting = false;
  #onDrop: (lines: number) => void;
  /** Lines this connection lost in all. */
  dropped = 0;

  constructor(sink: SseSink, maxBytes: number, onDrop: (lines: number) => void = () => {}) {
    this.#sink = sink;
    this.maxBytes = maxBytes;
    this.#onDrop = onDrop;
  }

  /** Bytes waiting in this connection's queue (not yet handed to the socket). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Slots the queue holds, sent and dropped ones not yet compacted away included: bounded like its bytes. */
  get queueSlots(): number {
    return this.#queue.length;
  }

  send(event: string, data: unknown, id?: number, droppable = event === 'log'): void {
    if (this.#sink.destroyed) return;
    const text = `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    if (this.#queue.length === this.#head && this.#gap === 0 && this.#sink.writableLength < SOCKET_SOFT_LIMIT) {
      this.#sink.write(text);
      return;
    }
    this.#queue.push({ text, bytes: Buffer.byteLength(text), droppable });
    this.#queuedBytes += this.#queue.at(-1)!.bytes;
    this.#trim();
    this.#wait();
  }

  /** A comment line (heartbeat): only when nothing waits, so it never grows the queue. */
  comment(text: string): void {
    if (this.#sink.destroyed || this.#queue.length > this.#head || this.#sink.writableLength >= SOCKET_SOFT_LIMIT)
      return;
    this.#sink.write(`: ${text}\n\n`);
  }

  #trim(): void {
    let lost = 0;
    let i = Math.max(this.#head, this.#scan);
    for (; this.#queuedBytes > this.maxBytes && i < this.#queue.length; i++) {
      const item = this.#queue[i]!;
      if (!item.droppable || item.bytes === 0) continue;
      this.#queuedBytes -= item.bytes;
      item.bytes = 0;
      item.text = '';
      lost++;
    }
    // Everything before `i` is sent, dropped or an event that stays: the next search starts there.
    this.#scan = i;
    this.#holes += lost;
    this.#compact();
    if (lost === 0) return;
    this.#gap += lost;
    this.dropped += lost;
    this.#onDrop(lost);
  }

  #writeGap(): void {
    this.#sink.write(
      `event: gap\ndata: ${JSON.stringify({ dropped: this.#gap, reason: 'slow_client', message: `${this.#gap} lines were dropped because this client did not read fast enough` })}\n\n`,
    );
    this.#gap = 0;
  }

  #wait(): void {
    if (this.#waiting || this.#sink.destroyed) return;
    this.#waiting = true;
    this.#sink.once('drain', () => {
      this.#waiting = false;
      this.#flush();
    });
  }

  #flush(): void {
    while (this.#head < this.#queue.length && !this.#sink.destroyed) {
      if (this.#sink.writableLength >= SOCKET_SOFT_LIMIT) {
        this.#wait();
        return;
      }
      const item = this.#queue[this.#head++]!;
      if (item.bytes === 0) {
        this.#holes--;
        continue;
      }
      if (this.#gap > 0) {
        this.#writeGap();
      }
      this.#queuedBytes -= item.bytes;
      this.#sink.write(item.text);
    }
    this.#compact();
    if (this.#head >= this.#queue.length) {
      if (this.#gap > 0 && !this.#sink.destroyed) {
        this.#writeGap();
      }
      this.#queue = [];
      this.#head = 0;
      this.#scan = 0;
      this.#holes = 0;
    }
  }

  /**
   * Drops the slots already sent (before `#head`) and those whose line was
   * dropped, once they outnumber the waiting events: a client that stays a
   * little behind, or never reads, would otherwise grow the array by one
   * slot per line for as long as it is connected.
   */
  #compact(): void {
    const dead = this.#head + this.#holes;
    if (dead < COMPACT_AFTER || dead * 2 < this.#queue.length) return;
    const kept: Pending[] = [];
    for (let i = this.#head; i < this.#queue.length; i++) {
      const item = this.#queue[i]!;
      if (item.bytes > 0) kept.push(item);
    }
    this.#queue = kept;
    this.#head = 0;
    this.#scan = 0;
    this.#holes = 0;
  }
}
