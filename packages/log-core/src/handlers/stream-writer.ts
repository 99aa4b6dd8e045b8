import { CODES, coreError } from '../codes.js';
import { DropReport } from './drop-report.js';
import { type OverflowPolicy, PendingLines } from './pending.js';
import type { WritableLike } from './stream.js';

/** Lines of a backlog handed to the stream in one write once it drains. */
const CHUNK = 64 * 1024;

export interface StreamWriterOptions {
  name: string;
  maxPendingBytes: number;
  overflow: OverflowPolicy;
  reportIntervalMs: number;
  /** Lines that can no longer be written (the stream closed with a backlog). */
  onLost(error: Error, lines: number): void;
}

/**
 * Writes lines to a stream while it accepts them; once `write()` returns
 * false, holds them (bounded) until `'drain'`, dropping and counting what does
 * not fit. Node would otherwise buffer every write to a slow pipe in memory.
 */
export class StreamWriter {
  readonly #stream: WritableLike;
  readonly #pending: PendingLines;
  readonly #report: DropReport;
  readonly #onLost: StreamWriterOptions['onLost'];
  readonly #canWait: boolean;
  #waiting = false;
  #gone = false;
  #progress: Array<() => void> = [];

  constructor(stream: WritableLike, options: StreamWriterOptions) {
    this.#stream = stream;
    this.#pending = new PendingLines(options.maxPendingBytes, options.overflow);
    this.#report = new DropReport(options.name, options.maxPendingBytes, options.reportIntervalMs);
    this.#onLost = options.onLost;
    this.#canWait = typeof stream.once === 'function';
  }

  get dropped(): number {
    return this.#report.total;
  }

  get pendingBytes(): number {
    return this.#pending.bytes;
  }

  write(text: string): void {
    if (this.#waiting) {
      const dropped = this.#pending.add(text);
      if (dropped > 0) this.#report.dropped(dropped);
      return;
    }
    if (!this.#canWait) {
      // No 'drain' to wait for: the stream's own count is the only bound.
      if ((this.#stream.writableLength ?? 0) >= this.#pending.max) this.#report.dropped(1);
      else this.#stream.write(text);
      return;
    }
    if (this.#stream.write(text) === false) this.#wait();
  }

  /** Resolves once the backlog is handed to the stream, or after `stallMs` without progress; true when it was. */
  async drained(stallMs: number): Promise<boolean> {
    while (this.#waiting && !this.#gone) {
      const moved = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), stallMs);
        this.#progress.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!moved) return false;
    }
    return true;
  }

  /** Hands the whole backlog to the stream regardless of backpressure (closing or exiting). */
  release(): void {
    this.#detach();
    if (!this.#gone && this.#pending.length > 0) {
      try {
        this.#stream.write(this.#pending.take(Number.POSITIVE_INFINITY));
      } catch (error) {
        this.#onLost(
          error instanceof Error ? error : coreError(CODES.WRITE_FAILED, String(error), Error),
          this.#pending.clear(),
        );
      }
    }
    this.#report.final();
  }

  #wait(): void {
    this.#waiting = true;
    this.#stream.once!('drain', this.#onDrain);
    this.#stream.once!('close', this.#onClose);
  }

  #detach(): void {
    if (!this.#waiting) return;
    this.#stream.removeListener?.('drain', this.#onDrain);
    this.#stream.removeListener?.('close', this.#onClose);
    this.#waiting = false;
    this.#notify();
  }

  #notify(): void {
    const waiters = this.#progress;
    this.#progress = [];
    for (const resolve of waiters) resolve();
  }

  readonly #onDrain = (): void => {
    this.#stream.removeListener?.('close', this.#onClose);
    this.#waiting = false;
    while (this.#pending.length > 0) {
      if (this.#stream.write(this.#pending.take(CHUNK)) === false) {
        this.#wait();
        this.#notify();
        return;
      }
    }
    this.#report.caughtUp();
    this.#notify();
  };

  readonly #onClose = (): void => {
    this.#stream.removeListener?.('drain', this.#onDrain);
    this.#gone = true;
    this.#waiting = false;
    const lost = this.#pending.clear();
    if (lost > 0)
      this.#onLost(coreError(CODES.STREAM_CLOSED, `the stream closed with ${lost} lines pending`, Error), lost);
    this.#notify();
  };
}
