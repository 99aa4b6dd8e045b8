/**
 * Splits a byte stream into text lines without ever holding more than one
 * unfinished line. Each chunk is decoded once up to its last newline, so the
 * hot path is one `toString` and an `indexOf` loop per chunk; only the bytes
 * after the last newline are carried (a newline byte never occurs inside a
 * UTF-8 sequence, so cutting there never splits a character).
 */

/** Receives each line (without its newline) and whether it is a piece of a longer line. */
export type LineSink = (text: string, split: boolean) => void;

/** Appended to every piece of an over-long line except the last. */
export const LINE_CONTINUES_MARKER = ' [line continues]';

const NEWLINE = 10;
const CR = 13;

export interface LineSplitterOptions {
  /**
   * Longest line delivered whole, in characters; longer lines are delivered
   * in pieces of at most this size, each but the last ending with
   * {@link LINE_CONTINUES_MARKER}.
   * @default 16384
   */
  maxLineLength?: number;
  /**
   * Called with the text of each run of whole lines decoded together (a chunk
   * up to its last newline) before its lines go to the sink, and with null
   * after them. Lines delivered outside such a run (joined across chunks,
   * split, or the last one) come without it.
   */
  onBlock?: (block: string | null) => void;
}

/** Turns Buffers into lines; invalid UTF-8 becomes U+FFFD, never an error. */
export class LineSplitter {
  readonly #sink: LineSink;
  readonly #max: number;
  readonly #onBlock: ((block: string | null) => void) | undefined;
  #carry: Buffer | null = null;
  #continuing = false;

  constructor(sink: LineSink, options: LineSplitterOptions = {}) {
    const max = options.maxLineLength ?? 16_384;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(`[@pactown/sandbox] maxLineLength must be a positive integer, got ${String(max)}`);
    }
    this.#sink = sink;
    this.#max = max;
    this.#onBlock = options.onBlock;
  }

  /** Feeds a chunk; complete lines are delivered before this returns. */
  push(chunk: Buffer): void {
    let start = 0;
    const carry = this.#carry;
    if (carry !== null) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.#appendCarry(chunk);
        return;
      }
      if (carry.length + nl <= this.#max && !this.#continuing && carry[carry.length - 1]! < 0x80) {
        // Common case: the carry ends on a whole character, so both parts decode on their own.
        this.#carry = null;
        this.#emitLine(carry.toString('utf8') + chunk.toString('utf8', 0, nl));
      } else {
        this.#appendCarry(chunk.subarray(0, nl));
        this.#flushCarry();
      }
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= start) {
      this.#emitBlock(chunk.toString('utf8', start, last));
      start = last + 1;
    }
    if (start < chunk.length) this.#appendCarry(chunk.subarray(start));
  }

  /** Delivers a final line that had no newline. */
  end(): void {
    if (this.#carry !== null) this.#flushCarry();
  }

  #emitBlock(text: string): void {
    const onBlock = this.#onBlock;
    if (onBlock === undefined) {
      this.#emitLines(text);
      return;
    }
    onBlock(text);
    try {
      this.#emitLines(text);
    } finally {
      onBlock(null);
    }
  }

  #emitLines(text: string): void {
    const sink = this.#sink;
    const max = this.#max;
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      let end = nl === -1 ? text.length : nl;
      if (end > pos && text.charCodeAt(end - 1) === CR) end--;
      if (end - pos > max) this.#emitLong(text.slice(pos, end));
      else sink(text.slice(pos, end), false);
      if (nl === -1) return;
      pos = nl + 1;
    }
  }

  #emitLine(line: string): void {
    if (line.charCodeAt(line.length - 1) === CR) line = line.slice(0, -1);
    if (line.length > this.#max || this.#continuing) this.#emitLong(line);
    else this.#sink(line, false);
  }

  #emitLong(line: string): void {
    const max = this.#max;
    let pos = 0;
    while (line.length - pos > max) {
      let cut = pos + max;
      // Keep surrogate pairs together.
      const code = line.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      this.#sink(line.slice(pos, cut) + LINE_CONTINUES_MARKER, true);
      pos = cut;
    }
    this.#sink(line.slice(pos), true);
    this.#continuing = false;
  }

  #appendCarry(bytes: Buffer): void {
    // Copy: a slice would keep the whole chunk alive.
    let carry = this.#carry === null ? Buffer.from(bytes) : Buffer.concat([this.#carry, bytes]);
    const max = this.#max;
    while (carry.length > max) {
      let cut = max;
      while (cut > 0 && (carry[cut]! & 0xc0) === 0x80) cut--;
      if (cut === 0) cut = max;
      this.#sink(carry.toString('utf8', 0, cut) + LINE_CONTINUES_MARKER, true);
      this.#continuing = true;
      carry = carry.subarray(cut);
    }
    this.#carry = carry;
  }

  #flushCarry(): void {
    const carry = this.#carry!;
    this.#carry = null;
    this.#emitLine(carry.toString('utf8'));
  }
}
