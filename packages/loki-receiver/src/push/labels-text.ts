import { GoSyntaxError, readGoString } from '../go-quote.js';

/**
 * A stream's label text that does not parse. Loki reads push labels with
 * Prometheus' metric parser, whose errors read `1:COL: parse error: WHY`;
 * the column is 1-based and points at the token that failed.
 */
export class LabelsSyntaxError extends Error {
  constructor(why: string, index: number) {
    super(`1:${index + 1}: parse error: ${why}`);
  }
}

const NAME = /[a-zA-Z_][a-zA-Z0-9_]*/y;
const SPACE = /[ \t\n\r]*/y;

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.exec(text);
  return SPACE.lastIndex;
}

function describe(text: string, at: number): string {
  if (at >= text.length) return 'end of input';
  NAME.lastIndex = at;
  const name = NAME.exec(text);
  if (name) return `identifier "${name[0]}"`;
  const ch = String.fromCodePoint(text.codePointAt(at)!);
  return `character ${JSON.stringify(ch)}`;
}

/**
 * Reads a string literal (`"..."`, `'...'` or `` `...` ``) as Prometheus'
 * lexer does: a raw U+FFFD (which is also what invalid UTF-8 bytes become
 * when decoded) or a lone surrogate is Go's `utf8.RuneError`, refused with
 * `invalid UTF-8 rune`; the escaped form `\ufffd` passes this step.
 */
function readString(text: string, at: number): { value: string; end: number } {
  const quote = text[at]!;
  let i = at + 1;
  for (; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0xfffd || (ch >= 0xd800 && ch <= 0xdfff && !isPair(text, i)))
      throw new LabelsSyntaxError('invalid UTF-8 rune', at);
    if (ch >= 0xd800 && ch <= 0xdbff) i++;
    else if (quote !== '`' && text[i] === '\\') i++;
    else if (text[i] === quote) break;
    else if (quote !== '`' && text[i] === '\n') break;
  }
  if (i >= text.length || text[i] !== quote)
    throw new LabelsSyntaxError(quote === '`' ? 'unterminated raw string' : 'unterminated quoted string', at);
  if (quote === "'") {
    // Go's strconv.Unquote reads single-quoted text with the same escapes as double-quoted.
    const inner = text
      .slice(at + 1, i)
      .replace(/\\'/g, "'")
      .replace(/"/g, '\\"');
    try {
      return { value: readGoString(`"${inner}"`, 0).value, end: i + 1 };
    } catch (error) {
      if (error instanceof GoSyntaxError) throw new LabelsSyntaxError(error.message, at);
      throw error;
    }
  }
  try {
    return { value: readGoString(text, at).value, end: i + 1 };
  } catch (error) {
    if (error instanceof GoSyntaxError) throw new LabelsSyntaxError(error.message, at);
    throw error;
  }
}

function isPair(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = text.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }
  return false;
}

/**
 * Parses pushed label text, `{a="b", c="d"}`, to name/value pairs in the
 * order written. Throws {@link LabelsSyntaxError}.
 */
export function parseLabelsText(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  let i = skipSpace(text, 0);
  if (text[i] !== '{') throw new LabelsSyntaxError(`unexpected ${describe(text, i)}, expected "{"`, i);
  i = skipSpace(text, i + 1);
  if (text[i] === '}') {
    i = skipSpace(text, i + 1);
    if (i < text.length) throw new LabelsSyntaxError(`unexpected ${describe(text, i)}, expected end of input`, i);
    return pairs;
  }
  for (;;) {
    NAME.lastIndex = i;
    const name = NAME.exec(text);
    if (!name)
      throw new LabelsSyntaxError(`unexpected ${describe(text, i)} in label set, expected identifier or "}"`, i);
    i = skipSpace(text, NAME.lastIndex);
    if (text[i] !== '=' || text[i + 1] === '~') {
      throw new LabelsSyntaxError(`unexpected ${describe(text, i)} in label set, expected "="`, i);
    }
    i = skipSpace(text, i + 1);
    const q = text[i];
    if (q !== '"' && q !== "'" && q !== '`')
      throw new LabelsSyntaxError(`unexpected ${describe(text, i)} in label set, expected string`, i);
    const { value, end } = readString(text, i);
    pairs.push([name[0], value]);
    i = skipSpace(text, end);
    if (text[i] === ',') {
      i = skipSpace(text, i + 1);
      if (text[i] === '}') {
        i += 1;
        break;
      }
      continue;
    }
    if (text[i] === '}') {
      i += 1;
      break;
    }
    throw new LabelsSyntaxError(`unexpected ${describe(text, i)} in label set, expected "," or "}"`, i);
  }
  i = skipSpace(text, i);
  if (i < text.length) throw new LabelsSyntaxError(`unexpected ${describe(text, i)}, expected end of input`, i);
  return pairs;
}
