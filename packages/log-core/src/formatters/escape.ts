// C0 and C1 controls (VT, FF, NEL among them), DEL, the Unicode line/paragraph separators (anything that could
// start a new line on a terminal, in a file or in a viewer) and the bidi controls that could make a line read reversed.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw although a viewer breaks or reverses lines on it. */
const JSON_UNSAFE = /[\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const JSON_UNSAFE_ALL = /[\u0085\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(c: string): string {
  switch (c) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
    default: {
      const code = c.charCodeAt(0);
      return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
}

/** Escapes newlines and control characters so the text stays on one line. */
export function escapeControl(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_ALL, escapeChar) : text;
}

/** Escapes, inside JSON text, the characters JSON leaves raw but viewers break or reverse lines on (`\u2028`, `\u0085`, bidi controls). */
export function escapeJsonUnsafe(json: string): string {
  return JSON_UNSAFE.test(json)
    ? json.replace(JSON_UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

/** Whether a UTF-16 code unit is one {@link escapeJsonUnsafe} rewrites. */
export function isJsonUnsafe(c: number): boolean {
  return c === 0x85 || c === 0x2028 || c === 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}
