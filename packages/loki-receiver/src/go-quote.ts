// Go string literals: Loki prints label values with strconv.Quote and reads
// selectors with strconv.Unquote, so both directions follow Go's rules.

const SIMPLE_ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const NEEDS_WORK = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/** Quotes a string the way Go's `strconv.Quote` does. */
export function goQuote(value: string): string {
  if (!NEEDS_WORK.test(value)) return `"${value}"`;
  let out = '"';
  for (const ch of value) {
    const simple = SIMPLE_ESCAPES[ch];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
    else if (PRINTABLE.test(ch)) out += ch;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return `${out}"`;
}

/** Thrown for a malformed Go string literal; `offset` is where it went wrong. */
export class GoSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const UNESCAPES: Record<string, string> = {
  a: '\u0007',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/**
 * Reads a Go string literal (double-quoted or back-quoted) starting at `start`.
 * Returns the value and the index just after the closing quote.
 */
export function readGoString(text: string, start: number): { value: string; end: number } {
  const quote = text[start];
  if (quote === '`') {
    const close = text.indexOf('`', start + 1);
    if (close < 0) throw new GoSyntaxError('literal not terminated', start);
    return { value: text.slice(start + 1, close).replaceAll('\r', ''), end: close + 1 };
  }
  if (quote !== '"') throw new GoSyntaxError('expected string literal', start);
  let i = start + 1;
  let out = '';
  let bytes: number[] | null = null;
  const flushBytes = () => {
    if (bytes) {
      out += Buffer.from(bytes).toString('utf8');
      bytes = null;
    }
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      flushBytes();
      return { value: out, end: i + 1 };
    }
    if (ch === '\n') throw new GoSyntaxError('newline in string', i);
    if (ch !== '\\') {
      flushBytes();
      out += ch;
      i += 1;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) break;
    const simple = UNESCAPES[e];
    if (simple !== undefined) {
      flushBytes();
      out += simple;
      i += 2;
      continue;
    }
    if (e === 'x' || (e >= '0' && e <= '7')) {
      const len = e === 'x' ? 2 : 3;
      const digits = e === 'x' ? text.slice(i + 2, i + 2 + len) : text.slice(i + 1, i + 1 + len);
      const ok = e === 'x' ? /^[0-9a-fA-F]{2}$/.test(digits) : /^[0-7]{3}$/.test(digits);
      const n = ok ? Number.parseInt(digits, e === 'x' ? 16 : 8) : 256;
      if (n > 255) throw new GoSyntaxError('invalid char escape', i);
      (bytes ??= []).push(n);
      i += e === 'x' ? 4 : 4;
      continue;
    }
    if (e === 'u' || e === 'U') {
      const len = e === 'u' ? 4 : 8;
      const digits = text.slice(i + 2, i + 2 + len);
      const n = /^[0-9a-fA-F]+$/.test(digits) && digits.length === len ? Number.parseInt(digits, 16) : -1;
      if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new GoSyntaxError('invalid char escape', i);
      flushBytes();
      out += String.fromCodePoint(n);
      i += 2 + len;
      continue;
    }
    throw new GoSyntaxError('invalid char escape', i);
  }
  throw new GoSyntaxError('literal not terminated', start);
}
