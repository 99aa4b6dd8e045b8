/**
 * The FILES section is a Python list literal, as the original printed it:
 * `['main.py', 'requirements.txt', '.venv']`. These write and read it.
 */

function reprString(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's `repr()` of a list of strings. */
export function reprList(values: readonly string[]): string {
  return `[${values.map(reprString).join(', ')}]`;
}

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/**
 * Reads a Python list of string literals. Returns `undefined` when the text
 * is not one (the caller then keeps the raw lines).
 */
export function parseList(text: string): string[] | undefined {
  const src = text.trim();
  if (!src.startsWith('[') || !src.endsWith(']')) return undefined;
  const out: string[] = [];
  let i = 1;
  const end = src.length - 1;
  const skipSpace = () => {
    while (i < end && /\s/.test(src[i]!)) i++;
  };
  skipSpace();
  while (i < end) {
    const quote = src[i];
    if (quote !== "'" && quote !== '"') return undefined;
    i++;
    let value = '';
    while (i < end && src[i] !== quote) {
      const ch = src[i]!;
      if (ch !== '\\') {
        value += ch;
        i++;
        continue;
      }
      const next = src[i + 1] ?? '';
      const width = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
      if (width > 0) {
        const hex = src.slice(i + 2, i + 2 + width);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) return undefined;
        value += String.fromCodePoint(Number.parseInt(hex, 16));
        i += 2 + width;
      } else {
        value += ESCAPES[next] ?? `\\${next}`;
        i += 2;
      }
    }
    if (src[i] !== quote) return undefined;
    i++;
    out.push(value);
    skipSpace();
    if (src[i] === ',') {
      i++;
      skipSpace();
    } else if (i < end) return undefined;
  }
  return out;
}
