/**
 * Lines kept as slices of a few large strings instead of one string each:
 * half a million retained strings make every garbage collection copy and
 * mark them, which was most of the cost of a large push. Lines appended since
 * the last `seal()` wait in a small array; sealing joins them into one string.
 */
export class LineRope {
  readonly #parts: string[] = [];
  #open: string[] = [];
  #openChars = 0;

  /** Joining is cheap, but a huge open group would keep many strings alive. */
  static readonly MAX_OPEN = 16_384;

  /** Part index the next appended line goes to (read it before `append`). */
  get nextPart(): number {
    return this.#open.length >= LineRope.MAX_OPEN ? this.#parts.length + 1 : this.#parts.length;
  }

  /** Stores a line; returns its char offset within part `nextPart`. The line's length is the caller's to keep. */
  append(line: string): number {
    if (this.#open.length >= LineRope.MAX_OPEN) this.seal();
    const offset = this.#openChars;
    this.#open.push(line);
    this.#openChars += line.length;
    return offset;
  }

  /** Joins the open lines into one part. */
  seal(): void {
    if (this.#open.length === 0) return;
    this.#parts.push(this.#open.length === 1 ? this.#open[0]! : this.#open.join(''));
    this.#open = [];
    this.#openChars = 0;
  }

  read(part: number, offset: number, length: number): string {
    if (part >= this.#parts.length) this.seal();
    return this.#parts[part]!.slice(offset, offset + length);
  }
}
