// Loki's regexes are Go RE2. JavaScript's engine is close but not equal, so
// patterns are translated token by token, and what RE2 refuses is refused here.

/** A pattern RE2 would not compile (or this translation cannot express). */
export class Re2Error extends Error {}

function fail(code: string, fragment: string): never {
  throw new Re2Error(`error parsing regexp: ${code}: \`${fragment}\``);
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

// Characters that may be escaped with a backslash under JavaScript's `u` flag.
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));
const RE2_SPACE = '\\t\\n\\f\\r ';

function unicodeClass(name: string, negated: boolean): string {
  const p = negated ? 'P' : 'p';
  if (name === 'Any') return negated ? '[^\\s\\S]' : '[\\s\\S]';
  const prop = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
  try {
    new RegExp(`\\p{${prop}}`, 'u');
  } catch {
    fail('invalid character class range', `\\p{${name}}`);
  }
  return `\\${p}{${prop}}`;
}

/** Translates one escape at `i` (pointing at the backslash); returns JS text and the next index. */
function translateEscape(src: string, i: number, inClass: boolean): [string, number] {
  const c = src[i + 1];
  if (c === undefined) fail('trailing backslash at end of expression', '');
  if (c >= '1' && c <= '9' && !(c <= '7' && /[0-7]/.test(src[i + 2] ?? ''))) {
    fail('invalid escape sequence', `\\${c}`);
  }
  if (c >= '0' && c <= '7') {
    const m = /^[0-7]{1,3}/.exec(src.slice(i + 1))![0];
    return [`\\u{${Number.parseInt(m, 8).toString(16)}}`, i + 1 + m.length];
  }
  switch (c) {
    case 'd':
    case 'D':
    case 'w':
    case 'W':
    case 'n':
    case 't':
    case 'r':
    case 'f':
    case 'v':
      return [`\\${c}`, i + 2];
    case 'b':
    case 'B':
      if (inClass) fail('invalid escape sequence', `\\${c}`);
      return [`\\${c}`, i + 2];
    case 'a':
      return ['\\x07', i + 2];
    case 's':
      return [inClass ? RE2_SPACE : `[${RE2_SPACE}]`, i + 2];
    case 'S':
      if (inClass) fail('invalid or unsupported Perl syntax', '\\S in a class');
      return [`[^${RE2_SPACE}]`, i + 2];
    case 'A':
      if (inClass) fail('invalid escape sequence', '\\A');
      return ['(?<![\\s\\S])', i + 2];
    case 'z':
      if (inClass) fail('invalid escape sequence', '\\z');
      return ['(?![\\s\\S])', i + 2];
    case 'x': {
      const braced = /^\{([0-9a-fA-F]{1,8})\}/.exec(src.slice(i + 2));
      if (braced) return [`\\u{${braced[1]}}`, i + 2 + braced[0].length];
      const two = /^[0-9a-fA-F]{2}/.exec(src.slice(i + 2));
      if (!two) fail('invalid escape sequence', src.slice(i, i + 4));
      return [`\\x${two[0]}`, i + 4];
    }
    case 'p':
    case 'P': {
      const braced = /^\{\^?([A-Za-z_]+)\}/.exec(src.slice(i + 2));
      if (braced) {
        const negated = (c === 'P') !== braced[0].startsWith('{^');
        return [unicodeClass(braced[1]!, negated), i + 2 + braced[0].length];
      }
      const one = src[i + 2];
      if (!one || !/[A-Z]/.test(one)) fail('invalid character class range', src.slice(i, i + 3));
      return [unicodeClass(one, c === 'P'), i + 3];
    }
    case 'Q': {
      const end = src.indexOf('\\E', i + 2);
      const literal = end < 0 ? src.slice(i + 2) : src.slice(i + 2, end);
      const escaped = [...literal].map((ch) => (JS_SYNTAX.has(ch) || ch === '-' ? `\\${ch}` : ch)).join('');
      return [inClass ? escaped : `(?:${escaped})`, end < 0 ? src.length : end + 2];
    }
    default:
      if (/[A-Za-z0-9]/.test(c)) fail('invalid escape sequence', `\\${c}`);
      if (JS_SYNTAX.has(c) || (inClass && c === '-')) return [`\\${c}`, i + 2];
      return [c, i + 2];
  }
}

/** Translates a character class starting at `i` (pointing at `[`). */
function translateClass(src: string, i: number): [string, number] {
  let out = '[';
  let j = i + 1;
  if (src[j] === '^') {
    out += '^';
    j += 1;
  }
  // A `]` right after the opening bracket is a literal in RE2.
  if (src[j] === ']') {
    out += '\\]';
    j += 1;
  }
  while (j < src.length && src[j] !== ']') {
    if (src.startsWith('[:', j)) {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(src.slice(j));
      if (m) {
        const set = POSIX[m[2]!];
        if (!set) fail('invalid character class range', m[0]);
        if (m[1]) fail('invalid or unsupported Perl syntax', m[0]);
        out += set;
        j += m[0].length;
        continue;
      }
    }
    const ch = src[j]!;
    if (ch === '\\') {
      const [text, next] = translateEscape(src, j, true);
      out += text;
      j = next;
      continue;
    }
    out += ch === '[' || ch === '/' ? `\\${ch}` : ch;
    j += 1;
  }
  if (j >= src.length) fail('missing closing ]', src.slice(i));
  return [`${out}]`, j + 1];
}

/** Translates a group opener at `i` (pointing at `(`). */
function translateGroup(src: string, i: number): [string, number] {
  if (src[i + 1] !== '?') return ['(', i + 1];
  const rest = src.slice(i + 2);
  if (rest.startsWith(':')) return ['(?:', i + 3];
  const named = /^P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
  if (named) return [`(?<${named[1]}>`, i + 2 + named[0].length];
  const shown = src.slice(i, i + 4);
  if (/^[=!]|^<[=!]/.test(rest)) fail('invalid or unsupported Perl syntax', shown);
  if (/^-?[imsU]/.test(rest)) {
    throw new Re2Error(`error parsing regexp: flag groups other than a leading one are not supported here: \`${shown}\``);
  }
  fail('invalid or unsupported Perl syntax', shown);
}

/** Translates an RE2 pattern to a JavaScript RegExp. `anchored` matches the whole input, as Loki does for label matchers. */
export function compileRe2(pattern: string, anchored: boolean): RegExp {
  let flags = 'u';
  let i = 0;
  const lead = /^\(\?([imsU]+)\)/.exec(pattern);
  if (lead) {
    if (lead[1]!.includes('U')) {
      throw new Re2Error('error parsing regexp: the ungreedy flag (?U) is not supported here: `(?U)`');
    }
    for (const f of new Set(lead[1])) flags += f;
    i = lead[0].length;
  }
  let out = '';
  while (i < pattern.length) {
    const ch = pattern[i]!;
    let text: string;
    if (ch === '\\') [text, i] = translateEscape(pattern, i, false);
    else if (ch === '[') [text, i] = translateClass(pattern, i);
    else if (ch === '(') [text, i] = translateGroup(pattern, i);
    else if (ch === '/') [text, i] = ['\\/', i + 1];
    else [text, i] = [ch, i + 1];
    out += text;
  }
  // Prometheus matchers compile as ^(?s:re)$: dot spans newlines, whole value.
  if (anchored && !flags.includes('s')) flags += 's';
  const source = anchored ? `(?<![\\s\\S])(?:${out})(?![\\s\\S])` : out;
  try {
    return new RegExp(source, flags);
  } catch (error) {
    throw new Re2Error(`error parsing regexp: ${(error as Error).message}: \`${pattern}\``);
  }
}
