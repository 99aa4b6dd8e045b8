/** How much output one REST answer may carry. */
export interface AnswerBounds {
  maxLines: number;
  maxBytes: number;
}

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text).length;

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
function cutBytes(text: string, max: number, fromEnd = false): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= max) return text;
  let part = fromEnd ? bytes.subarray(bytes.length - max) : bytes.subarray(0, max);
  // Skip continuation bytes at the cut so the text stays valid UTF-8.
  if (fromEnd) {
    let i = 0;
    while (i < part.length && (part[i]! & 0xc0) === 0x80) i++;
    part = part.subarray(i);
  } else {
    let end = part.length;
    while (end > 0 && (part[end - 1]! & 0xc0) === 0x80) end--;
    if (end > 0 && part[end - 1]! >= 0xc0) end--;
    part = part.subarray(0, end);
  }
  return part.toString('utf8');
}

/**
 * The `logs` of one run as it goes: the first lines and the last lines, in
 * bytes and in lines, and a count of those in between. Memory stays bounded
 * however long a service prints before it is ready.
 */
export class AnswerLines {
  readonly #headLines: number;
  readonly #tailLines: number;
  readonly #halfBytes: number;
  readonly #lineBytes: number;
  readonly #head: string[] = [];
  #headBytes = 0;
  #headOpen = true;
  #tail: string[] = [];
  #tailStart = 0;
  #tailBytes = 0;
  #omitted = 0;

  constructor(bounds: AnswerBounds) {
    this.#headLines = Math.max(1, Math.floor(bounds.maxLines / 2));
    this.#tailLines = Math.max(1, bounds.maxLines - this.#headLines - 1);
    this.#halfBytes = Math.floor(bounds.maxBytes / 2);
    this.#lineBytes = Math.max(64, Math.floor(bounds.maxBytes / 8));
  }

  /** Lines left out so far. */
  get omitted(): number {
    return this.#omitted;
  }

  push(raw: string): void {
    let line = raw;
    let size = bytesOf(line);
    if (size > this.#lineBytes) {
      line = `${cutBytes(line, this.#lineBytes - 32)} … (${size} bytes, cut)`;
      size = bytesOf(line);
    }
    if (this.#headOpen && this.#head.length < this.#headLines && this.#headBytes + size <= this.#halfBytes) {
      this.#head.push(line);
      this.#headBytes += size;
      return;
    }
    this.#headOpen = false;
    this.#tail.push(line);
    this.#tailBytes += size;
    while (this.#tail.length - this.#tailStart > this.#tailLines || this.#tailBytes > this.#halfBytes) {
      this.#tailBytes -= bytesOf(this.#tail[this.#tailStart]!);
      this.#tailStart++;
      this.#omitted++;
    }
    // Compact now and then, so the dropped front does not stay referenced.
    if (this.#tailStart > 1024 && this.#tailStart * 2 > this.#tail.length) {
      this.#tail = this.#tail.slice(this.#tailStart);
      this.#tailStart = 0;
    }
  }

  lines(): string[] {
    const tail = this.#tail.slice(this.#tailStart);
    return this.#omitted > 0
      ? [...this.#head, `… ${this.#omitted} lines omitted …`, ...tail]
      : [...this.#head, ...tail];
  }
}

/**
 * The end of a text (stderr keeps its last lines, where the error is), at most
 * `maxLines` lines and `maxBytes` bytes, with a first line that says what was
 * left out. `omittedLines` counts whole lines left out.
 */
export function boundTail(
  text: string,
  bounds: AnswerBounds,
): { text: string; omittedLines: number; omittedBytes: number } {
  const total = bytesOf(text);
  const lines = text.split('\n');
  let kept = lines;
  if (lines.length > bounds.maxLines) kept = lines.slice(lines.length - bounds.maxLines);
  let body = kept.join('\n');
  if (bytesOf(body) > bounds.maxBytes - 64) body = cutBytes(body, bounds.maxBytes - 64, true);
  const omittedBytes = total - bytesOf(body);
  if (omittedBytes <= 0) return { text, omittedLines: 0, omittedBytes: 0 };
  const keptLines = body.split('\n').length;
  const omittedLines = Math.max(0, lines.length - keptLines);
  return { text: `… ${omittedBytes} bytes (${omittedLines} lines) omitted …\n${body}`, omittedLines, omittedBytes };
}

/** A one-line text (a message) cut to `maxBytes`. */
export function boundText(text: string, maxBytes: number): string {
  return bytesOf(text) <= maxBytes ? text : `${cutBytes(text, maxBytes - 32)} … (cut)`;
}
