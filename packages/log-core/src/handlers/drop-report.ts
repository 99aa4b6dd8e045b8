import { warnStderr } from '../stderr.js';

/**
 * Tells stderr about lines a stream handler dropped: once when dropping
 * starts, then a summary ("N lines dropped") when the stream catches up, at
 * most one per interval, so a reader that keeps stalling cannot flood stderr.
 */
export class DropReport {
  readonly #name: string;
  readonly #maxBytes: number;
  readonly #intervalMs: number;
  #total = 0;
  #reported = 0;
  #warned = false;
  #lastSummary = Number.NEGATIVE_INFINITY;
  #behind = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(name: string, maxBytes: number, intervalMs: number) {
    this.#name = name;
    this.#maxBytes = maxBytes;
    this.#intervalMs = intervalMs;
  }

  get total(): number {
    return this.#total;
  }

  dropped(lines: number): void {
    this.#total += lines;
    this.#behind = true;
    if (!this.#warned) {
      this.#warned = true;
      warnStderr(
        `handler ${this.#name}: its stream is not being read fast enough; lines beyond ${this.#maxBytes} pending bytes are dropped and counted in handler.dropped. A summary follows when it catches up.`,
      );
    }
    // A reader that never catches up still gets a summary per interval.
    this.#schedule();
  }

  /** The stream took everything pending. */
  caughtUp(): void {
    if (!this.#behind) return;
    this.#behind = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#schedule();
  }

  /** Reports what is left to report now (the handler is closing). */
  final(): void {
    if (this.#total > this.#reported) this.#summary();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer !== undefined || this.#total === this.#reported) return;
    const wait = this.#lastSummary + this.#intervalMs - Date.now();
    if (!this.#behind && wait <= 0) {
      this.#summary();
      return;
    }
    this.#timer = setTimeout(() => this.#summary(), Math.max(wait, this.#behind ? this.#intervalMs : 0));
    this.#timer.unref();
  }

  #summary(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#total === this.#reported) return;
    this.#lastSummary = Date.now();
    const state = this.#behind ? 'it is still behind' : 'it has caught up';
    warnStderr(
      `handler ${this.#name}: ${this.#total - this.#reported} lines dropped (${this.#total} in total) because its stream was not read fast enough; ${state}.`,
    );
    this.#reported = this.#total;
  }
}
