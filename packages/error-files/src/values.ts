/**
 * How single-line header values are written: as plain text when that is
 * unambiguous (the common case, e.g. a command line), otherwise as a JSON
 * string literal (a value with a newline, control characters, edge spaces,
 * or one that starts with a double quote). Readers tell them apart by the
 * first character.
 */

// Printable text without edge spaces that does not start with a quote.
const PLAIN =
  /^(?!")[^\s\x00-\x1f\x7f-\x9f\u2028\u2029](?:[^\x00-\x1f\x7f-\x9f\u2028\u2029]*[^\s\x00-\x1f\x7f-\x9f\u2028\u2029])?$/;

/**
 * A JSON string literal that stays on one line for every reader: JSON leaves
 * U+2028 and U+2029 unescaped, but JavaScript's `.` and many tools treat them
 * as line breaks.
 */
export function quoteJson(value: string): string {
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Encodes a header value so that {@link decodeValue} gives it back exactly. */
export function encodeValue(value: string): string {
  return PLAIN.test(value) ? value : quoteJson(value);
}

/** Decodes a header value written by {@link encodeValue}; other text is returned as it is. */
export function decodeValue(raw: string): string {
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed === 'string') return parsed;
    } catch {
      // Not JSON after all: keep the text as written.
    }
  }
  return raw;
}

/** Writes an integer or `none`. */
export function encodeNumber(value: number | null): string {
  return value === null ? 'none' : String(value);
}

/** Reads an integer, `none`/`None`/`unknown` as null. */
export function decodeNumber(raw: string): number | null {
  const text = raw.trim();
  if (/^[+-]?\d+$/.test(text)) return Number(text);
  return null;
}
