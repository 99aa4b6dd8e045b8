/**
 * Splits a byte stream into text lines without ever holding more than one
 * unfinished line. Each chunk is decoded once up to its last newline, so the
 * hot path is one `toString` and an `indexOf` loop per chunk; the bytes after
 * the last newline are decoded into the carried text of the unfinished line
 * (a newline byte never occurs inside a UTF-8 sequence, so cutting there
 * never splits a character; a character cut between chunks waits in the
 * decoder). Line lengths are counted in characters (UTF-16 code units, as
 * `string.length`) however the line is chunked.
 */
import { StringDecoder } from 'node:string_decoder';
import { CODES, sandboxError } from '../errors.js';

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
  // The decoded text of the unfinished line; the decoder holds the bytes of a character cut between chunks.
  #carry: string | null = null;
  readonly #decoder = new StringDecoder('utf8');
  #continuing = false;

  constructor(sink: LineSink, options: LineSplitterOptions = {}) {
    const max = options.maxLineLength ?? 16_384;
    if (!Number.isInteger(max) || max < 1) {
      throw sandboxError(
        TypeError,
        CODES.INVALID_OPTION,
        `maxLineLength must be a positive integer, got ${String(max)}`,
      );
    }
    this.#sink = sink;
    this.#max = max;
    this.#onBlock = options.onBlock;
  }

  /** Feeds a chunk; complete lines are delivered before this returns. */
  push(chunk: Buffer): void {
    let start = 0;
    if (this.#carry !== null) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) {
        this.#appendCarry(chunk);
        return;
      }
      const carry = this.#carry;
      this.#carry = null;
      this.#emitLine(carry + this.#decoder.end(chunk.subarray(0, nl)));
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
    const carry = this.#carry;
    if (carry === null) return;
    this.#carry = null;
    this.#emitLine(carry + this.#decoder.end());
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
    let pos = 0;
    while (line.length - pos > this.#max) {
      const cut = this.#cutAt(line, pos);
      if (cut >= line.length) break; // a last surrogate pair over a limit of 1
      this.#sink(line.slice(pos, cut) + LINE_CONTINUES_MARKER, true);
      pos = cut;
    }
    this.#sink(line.slice(pos), true);
    this.#continuing = false;
  }

  /** Where the piece starting at `pos` ends: `max` characters on, a surrogate pair kept together. */
  #cutAt(text: string, pos: number): number {
    let cut = pos + this.#max;
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut = cut - 1 === pos ? cut + 1 : cut - 1;
    return cut;
  }

  #appendCarry(bytes: Buffer): void {
    // Decoding copies: the carry never keeps the chunk alive.
    let carry = (this.#carry ?? '') + this.#decoder.write(bytes);
    const max = this.#max;
    for (;;) {
      // A last CR may be the CR of a CRLF, which the line loses: it does not count until the next byte shows.
      const length = carry.charCodeAt(carry.length - 1) === CR ? carry.length - 1 : carry.length;
      if (length <= max) break;
      const cut = this.#cutAt(carry, 0);
      if (cut >= length) break; // a surrogate pair right at a limit of 1: wait for more
      this.#sink(carry.slice(0, cut) + LINE_CONTINUES_MARKER, true);
      this.#continuing = true;
      carry = carry.slice(cut);
    }
    this.#carry = carry;
  }
}
