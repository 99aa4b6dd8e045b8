/**
 * The text engine: masks secrets line by line. Every rule works inside one
 * line, and the only state carried from line to line is "inside a PEM private
 * key block", so masking a text equals masking its lines one by one in any
 * chunking (what a capture of a live stream does).
 *
 * Each rule runs only when a cheap gate says the line has what it needs (a
 * regex scan with a lookbehind costs about a microsecond per line even when
 * nothing matches). The gates over a whole block are `mayNeedRedaction`.
 */
import { hasEscape, maskEscaped, shownText } from './redact-ansi.js';
import { HEADER_KEYS, hasTokenHint, normalizeKey, type RedactionRule, TOKEN_FORMATS } from './redact-rules.js';

/** State of a stream of lines: whether the last line left a PEM private key block open. */
export interface PemState {
  inBlock: boolean;
  /** Body lines masked in the open block. */
  lines: number;
}

/** A block whose END line never comes (cut output) stops being masked after this many lines. */
export const MAX_PEM_LINES = 512;

/** Texts up to this long that need no masking are remembered, up to {@link CLEAN_CACHE_SIZE} of them. */
const CLEAN_CACHE_LENGTH = 256;
const CLEAN_CACHE_SIZE = 1024;

/** An extra rule, ready to run. */
interface CompiledRule {
  pattern: RegExp;
  prefilter: readonly string[] | null;
  blockSafe: boolean;
  replace: string | ((match: string, ...groups: any[]) => string);
}

/** What the engine needs from its redactor. */
export interface EngineConfig {
  isSecretKey(key: string): boolean;
  /** Normalized key fragments and words (`password`, `auth`): a secret key holds the first three letters of one. */
  keyHints: readonly string[];
  censor: string;
  disabled: ReadonlySet<string>;
  rules: readonly RedactionRule[];
  knownValues: readonly string[];
  /** `false`: no gate in front of the default rules, each runs its own check on every line (the reference the gates are tested against). @default true */
  gates?: boolean;
}

/** What {@link createEngine} returns. */
export interface Engine {
  maskLine(line: string, state: PemState): string;
  maskText(text: string): string;
  mayNeed(block: string): boolean;
  readonly knownValues: readonly string[];
}

const PEM_BEGIN = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----/;
const PEM_END = /-----END ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----/;
// Values stop at U+2400-U+2421 too: text whose control characters are shown as pictures (␊) keeps its lines apart.
const YAML = /^(\s*(?:-\s+)?)(["']?)([A-Za-z0-9_.-]{1,128})\2(\s*:\s+)([^\s"'#|>\u2400-\u2421][^\r\u2400-\u2421]*)/;
// The key and separator only: a value is read (VALUE) when the key names a secret, so a non-secret
// pair's value is still searched for keys (`Error: DB_PASSWORD=x`).
const KEY_SEP = /(?<![A-Za-z0-9_.-])(["']?)([A-Za-z0-9_.-]{1,128})\1(\s*[=:]\s*)/g;
const VALUE = /"(?:[^"\\\u2400-\u2421]|\\.)*"|'[^'\u2400-\u2421]*'|[^\s"'&,;\u2400-\u2421]+/y;
// A header's value runs to the end of the line, or to the quote that opened it (`-H "Authorization: ..."`).
// The registered HTTP authentication schemes (and common vendor ones) stay readable; any other first word is masked too.
const HEADER =
  /(?<![A-Za-z0-9_-])(["']?)((?:proxy-)?authorization|set-cookie|cookie)(\s*[:=]\s*)(?:(basic|bearer|digest|token|negotiate|ntlm|hoba|mutual|oauth|apikey|key|dpop|gnap|vapid|ssws|splunk|privacy-token|concealed|scram-sha-1|scram-sha-256|aws4-hmac-sha256)(\s+)(?=[^\s"']))?([^\s"'\u2400-\u2421][^\r\u2400-\u2421]*)/gi;
const FLAG = /(^|\s)(--?[A-Za-z][\w-]{0,64})(\s+|=)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g;
const BEARER = /\b(Bearer)(\s+)([A-Za-z0-9._~+/=-]{6,})/gi;
// `Token` is also an English word: only a value with a digit is taken for a credential (`Token expired` stays).
const TOKEN_SCHEME = /\b(Token)(\s+)(?=[A-Za-z._~+/=-]*[0-9])([A-Za-z0-9._~+/=-]{6,})/gi;
const BASIC = /\b(Basic)(\s+)([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])/gi;
const URL_PASSWORD = /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:/@]{0,256}):([^\s/?#]{1,256})@/gi;
const URL_USER = /(?<![A-Za-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)([A-Za-z0-9_~%.-]{16,256})@/gi;
const AWS_ID = /(?<![A-Za-z0-9_-])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9_-])/;
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const SCHEME = /bearer|basic|token/i;

/**
 * Whether `text` has a `b` or a `t`, in either case: each scheme word starts with one, and
 * four `includes` cost a fraction of the case-insensitive scan (machine output, such as hex,
 * base64 or ids, often has neither).
 */
function hasSchemeLetter(text: string): boolean {
  return text.includes('b') || text.includes('t') || text.includes('B') || text.includes('T');
}

/** `SCHEME.test(text)`, first asking for a letter a scheme word starts with. */
function hasScheme(text: string): boolean {
  return hasSchemeLetter(text) && SCHEME.test(text);
}

const SPACE_ONLY = /^\s*$/;
const BODY = /^(\s*)([\s\S]*?)(\s*)$/;

function isKeyChar(c: number): boolean {
  // [A-Za-z0-9_.-]
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x2d
  );
}

function isSpace(c: number): boolean {
  return (
    c === 0x20 ||
    (c >= 0x09 && c <= 0x0d) ||
    c === 0xa0 ||
    c === 0xfeff ||
    (c >= 0x2000 && (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000)) ||
    c === 0x1680
  );
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/**
 * Whether a run of key characters before some `=` or `:` (with an optional
 * quote between, as in JSON) names a secret. KEY_VALUE, YAML and HEADER only
 * change a line when that holds, so otherwise they are skipped.
 */
function secretBeforeSeparator(text: string, isSecretKey: (key: string) => boolean, sep: number): boolean {
  for (
    let at = text.indexOf(sep === 0x3d ? '=' : ':');
    at !== -1;
    at = text.indexOf(sep === 0x3d ? '=' : ':', at + 1)
  ) {
    let end = at;
    while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
    const q = text.charCodeAt(end - 1);
    if (q === 0x22 || q === 0x27) end--;
    let start = end;
    while (start > 0 && isKeyChar(text.charCodeAt(start - 1))) start--;
    // Times and ports (`12:30`, `8080:80`) start with a digit: never a key worth a lookup.
    if (start < end && !isDigit(text.charCodeAt(start)) && isSecretKey(text.slice(start, end))) return true;
  }
  return false;
}

/** Whether a `-x`/`--x` flag (at the start or after whitespace) names a secret. */
function secretFlag(text: string, isSecretKey: (key: string) => boolean): boolean {
  for (let at = text.indexOf('-'); at !== -1; at = text.indexOf('-', at + 1)) {
    if (at > 0 && !isSpace(text.charCodeAt(at - 1))) continue;
    let i = at + 1;
    if (text.charCodeAt(i) === 0x2d) i++;
    if (!isLetter(text.charCodeAt(i))) continue;
    let end = i;
    while (end < text.length && isKeyChar(text.charCodeAt(end)) && text.charCodeAt(end) !== 0x2e) end++;
    if (isSecretKey(text.slice(at, end))) return true;
    at = end - 1;
  }
  return false;
}

function hasAny(text: string, literals: readonly string[]): boolean {
  for (const literal of literals) if (text.includes(literal)) return true;
  return false;
}

/**
 * The alternatives of these token sequences, written as a tree of their shared starts
 * (`p(?:as|wd)` for `pas` and `pwd`): a regex scan then tries one branch at a character
 * instead of every alternative. A sequence that starts another stands for both, as the key
 * pattern goes on with `[a-z0-9_.-]*`, which reads every token. The same texts match.
 */
function alternatives(sequences: readonly (readonly string[])[]): string[] {
  if (sequences.some((q) => q.length === 0)) return [''];
  const byHead = new Map<string, (readonly string[])[]>();
  for (const [head, ...rest] of sequences) {
    const list = byHead.get(head!);
    if (list === undefined) byHead.set(head!, [rest]);
    else list.push(rest);
  }
  return [...byHead].map(([head, rests]) => {
    const tails = alternatives(rests);
    return tails.length === 1 ? `${head}${tails[0]}` : `${head}(?:${tails.join('|')})`;
  });
}

/** Whether a pattern that matches in a line also matches in the block holding it (no anchors, lookarounds or sticky flag). */
export function blockSafe(pattern: RegExp): boolean {
  if (pattern.sticky) return false;
  const bare = pattern.source.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
  return !/[\^$]|\(\?[=!<]/.test(bare);
}

function globalCopy(pattern: RegExp): RegExp {
  return new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
}

/** Known values worth masking: 4+ characters, split at line breaks, longest first, never part of the censor. */
export function prepareKnownValues(values: readonly string[], censor: string): string[] {
  const out = new Set<string>();
  for (const value of values) {
    for (const line of value.split(/\r?\n/)) {
      const v = line.trim();
      if (v.length >= 4 && !censor.includes(v)) out.add(v);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** Builds the text engine for one redactor. */
export function createEngine(config: EngineConfig): Engine {
  const { isSecretKey, censor, disabled } = config;
  const on = (id: string) => !disabled.has(id);
  const pem = on('pem-private-key');
  const keyValue = on('secret-key-value');
  const header = on('auth-header');
  const flag = on('secret-flag');
  const scheme = on('bearer-basic');
  const urlPassword = on('url-password');
  const urlUser = on('url-token-user');
  const tokenSources = TOKEN_FORMATS.filter((t) => on(t.id)).map((t) => t.source);
  const tokens =
    tokenSources.length === 0
      ? null
      : new RegExp(`(?<![A-Za-z0-9_-])(?:${tokenSources.join('|')})(?![A-Za-z0-9_-])`, 'g');
  const aws = on('aws-access-key-id');
  const known = on('known-values') ? config.knownValues : [];
  const extra: CompiledRule[] = config.rules.map((rule) => ({
    pattern: globalCopy(rule.pattern),
    prefilter: rule.prefilter && rule.prefilter.length > 0 ? rule.prefilter : null,
    blockSafe: blockSafe(rule.pattern),
    replace: rule.replace ?? censor,
  }));
  // A cheap gate per default rule decides whether a line can need it: a secret key holds the
  // start of one of its fragments and stands before `=`/`:` or after `-`/`--`; every other
  // rule starts with a literal. Each gate is at least as wide as the check maskDefaults makes
  // before its rule runs, so a line every gate passes over comes back unchanged. A gate first
  // looks for a character its rule cannot do without (`includes` is many times faster than a
  // regex scan), and the regexes are case-insensitive rather than run over a lowercased copy.
  // A key's words are matched with `_ - .` left out (`P-ASSWORD`, `pa.ss_word` name a secret), so
  // the letters of a start may have them between: the starts as they are, then each with a
  // separator after its first or its second letter (one regex; written out so, it scans faster
  // than `[_.-]*` between every two letters). A flag is checked exactly: few `-` follow a space.
  const escapeLiteral = (t: string) => t.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  const starts = [...new Set(config.keyHints.map((k) => k.slice(0, 3)))];
  const sequences = starts.flatMap((k) => {
    const asIs = [...k].map(escapeLiteral);
    const [a = '', b = '', c = ''] = asIs;
    if (c !== '') return [asIs, [a, '[_.-]+', b, '[_.-]*', c], [a, b, '[_.-]+', c]];
    return b === '' ? [asIs] : [asIs, [a, '[_.-]+', b]];
  });
  const keySource = starts.length === 0 ? null : `(?:${alternatives(sequences).join('|')})[a-z0-9_.-]*["']?\\s*[=:]`;
  const keyHint = keySource === null ? null : new RegExp(keySource, 'i');
  // A text that needs both the key and the scheme scan gets one scan for both.
  const keyOrSchemeHint = keySource === null ? null : new RegExp(`${SCHEME.source}|${keySource}`, 'i');
  const url = urlPassword || urlUser;
  const gated = config.gates !== false;
  const hint = (text: string): boolean => {
    if (!gated) return true;
    if (tokens !== null && hasTokenHint(text)) return true;
    if (url && text.includes('://')) return true;
    if (flag && text.includes('-') && secretFlag(text, isSecretKey)) return true;
    const key = keyHint !== null && (keyValue || header) && (text.includes('=') || text.includes(':'));
    const word = scheme && hasSchemeLetter(text);
    if (key && word) return keyOrSchemeHint!.test(text);
    if (key) return keyHint!.test(text);
    return word && SCHEME.test(text);
  };
  const isHeaderKey = (key: string) => header && HEADER_KEYS.has(normalizeKey(key));
  const quoted = (value: string) => {
    const q = value[0];
    return q === '"' || q === "'" ? `${q}${censor}${q}` : censor;
  };

  const maskKeyValues = (line: string): string => {
    let out = '';
    let last = 0;
    KEY_SEP.lastIndex = 0;
    for (let m = KEY_SEP.exec(line); m !== null; m = KEY_SEP.exec(line)) {
      const key = m[2]!;
      if (!isSecretKey(key)) continue;
      const start = m.index + m[0].length;
      VALUE.lastIndex = start;
      const v = VALUE.exec(line);
      if (v === null) continue;
      const value = v[0];
      // An unquoted header value is the header rule's (it keeps the scheme).
      if (value[0] !== '"' && value[0] !== "'" && isHeaderKey(key)) continue;
      out += line.slice(last, start) + quoted(value);
      last = start + value.length;
      KEY_SEP.lastIndex = last;
    }
    return last === 0 ? line : out + line.slice(last);
  };

  const maskPlain = (line: string): string => {
    for (const value of known) if (line.includes(value)) line = line.split(value).join(censor);
    if (hint(line)) line = maskDefaults(line);
    for (const rule of extra) {
      if (rule.prefilter !== null && !hasAny(line, rule.prefilter)) continue;
      rule.pattern.lastIndex = 0;
      line = line.replace(rule.pattern, rule.replace as string);
    }
    return line;
  };

  const maskDefaults = (line: string): string => {
    if (tokens !== null && hasTokenHint(line)) {
      const awsLine = aws && AWS_ID.test(line);
      tokens.lastIndex = 0;
      line = line.replace(tokens, censor);
      if (awsLine) line = line.replace(AWS_SECRET, censor);
    }
    if ((urlPassword || urlUser) && line.includes('://') && line.includes('@')) {
      if (urlPassword) line = line.replace(URL_PASSWORD, (_w, s: string, user: string) => `${s}${user}:${censor}@`);
      if (urlUser)
        line = line.replace(URL_USER, (whole, s: string, user: string) =>
          /[0-9]/.test(user) && /[A-Za-z]/.test(user) ? `${s}${censor}@` : whole,
        );
    }
    const eq = line.includes('=') && secretBeforeSeparator(line, isSecretKey, 0x3d);
    const colon = line.includes(':') && secretBeforeSeparator(line, isSecretKey, 0x3a);
    if (eq || colon) {
      if (header) {
        line = line.replace(
          HEADER,
          (
            _w,
            q: string,
            name: string,
            sep: string,
            sch: string | undefined,
            gap: string | undefined,
            value: string,
          ) => {
            const close = q === '' ? -1 : value.indexOf(q);
            const tail = close === -1 ? '' : value.slice(close);
            const head = sch !== undefined && !/cookie/i.test(name) ? `${sch}${gap}` : '';
            return `${q}${name}${sep}${head}${censor}${tail}`;
          },
        );
      }
      if (keyValue) {
        if (colon) {
          line = line.replace(YAML, (whole, lead: string, q: string, key: string, sep: string) =>
            isSecretKey(key) && !isHeaderKey(key) ? `${lead}${q}${key}${q}${sep}${censor}` : whole,
          );
        }
        line = maskKeyValues(line);
      }
    }
    if (flag && line.includes('-') && secretFlag(line, isSecretKey)) {
      line = line.replace(FLAG, (whole, lead: string, name: string, gap: string) =>
        isSecretKey(name) ? `${lead}${name}${gap}${censor}` : whole,
      );
    }
    if (scheme && SCHEME.test(line)) {
      line = line.replace(BEARER, (_w, s: string, gap: string) => `${s}${gap}${censor}`);
      line = line.replace(TOKEN_SCHEME, (_w, s: string, gap: string) => `${s}${gap}${censor}`);
      line = line.replace(BASIC, (whole, s: string, gap: string, token: string) =>
        /[0-9+/=]/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token)) ? `${s}${gap}${censor}` : whole,
      );
    }
    return line;
  };

  const maskBody = (text: string, state: PemState): string => {
    state.lines++;
    if (SPACE_ONLY.test(text)) return text;
    const m = BODY.exec(text)!;
    return `${m[1]}${censor}${m[3]}`;
  };

  const maskPem = (line: string, state: PemState): string => {
    let out = '';
    let rest = line;
    for (;;) {
      if (state.inBlock) {
        const end = PEM_END.exec(rest);
        if (end === null) {
          out += maskBody(rest, state);
          if (state.lines >= MAX_PEM_LINES) state.inBlock = false;
          return out;
        }
        if (end.index > 0) out += maskBody(rest.slice(0, end.index), state);
        out += end[0];
        rest = rest.slice(end.index + end[0].length);
        state.inBlock = false;
        continue;
      }
      const begin = PEM_BEGIN.exec(rest);
      if (begin === null) return out + (rest === '' ? '' : maskPlain(rest));
      out += (begin.index > 0 ? maskPlain(rest.slice(0, begin.index)) : '') + begin[0];
      rest = rest.slice(begin.index + begin[0].length);
      state.inBlock = true;
      state.lines = 0;
    }
  };

  const maskShown = (line: string, state: PemState): string => {
    if (pem && (state.inBlock || line.includes('-----BEGIN'))) return maskPem(line, state);
    return maskPlain(line);
  };

  // A line with terminal escapes is masked over what it shows (see redact-ansi.ts).
  const maskLine = (line: string, state: PemState): string =>
    hasEscape(line) ? maskEscaped(line, (shown) => maskShown(shown, state), maskPlain, censor) : maskShown(line, state);

  // Short texts found to need no masking, remembered: a program logs the same messages, keys and
  // field values over and over. Only clean texts are kept (never a secret), none with a PEM BEGIN
  // (whose state would reach the lines after it), and none while a rule's replace is a function
  // (which need not give the same answer twice). Bounded: emptied when full.
  const cacheable = extra.every((r) => typeof r.replace === 'string');
  const clean = new Set<string>();
  const remember = (text: string): void => {
    if (!cacheable || text.length > CLEAN_CACHE_LENGTH || text.includes('-----BEGIN')) return;
    if (clean.size >= CLEAN_CACHE_SIZE) clean.clear();
    clean.add(text);
  };

  const maskText = (text: string): string => {
    if (clean.has(text)) return text;
    const state: PemState = { inBlock: false, lines: 0 };
    let out: string;
    if (!text.includes('\n')) out = maskLine(text, state);
    else {
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) lines[i] = maskLine(lines[i]!, state);
      out = lines.join('\n');
    }
    if (out === text) remember(text);
    return out;
  };

  const extraBlockSafe = extra.every((r) => r.prefilter !== null || r.blockSafe);
  const mayNeed = (text: string): boolean => {
    if (clean.has(text)) return false;
    if (!mayNeedUncached(text)) {
      remember(text);
      return false;
    }
    return true;
  };
  const mayNeedUncached = (text: string): boolean => {
    const block = hasEscape(text) ? shownText(text) : text;
    if (pem && block.includes('-----BEGIN')) return true;
    for (const value of known) if (block.includes(value)) return true;
    if (hint(block) && defaultsMayNeed(block)) return true;
    return extraMayNeed(block);
  };
  const defaultsMayNeed = (block: string): boolean => {
    if (tokens !== null && hasTokenHint(block)) return true;
    if ((urlPassword || urlUser) && block.includes('://') && block.includes('@')) return true;
    if (
      (keyValue || header) &&
      ((block.includes('=') && secretBeforeSeparator(block, isSecretKey, 0x3d)) ||
        (block.includes(':') && secretBeforeSeparator(block, isSecretKey, 0x3a)))
    )
      return true;
    if (flag && block.includes('-') && secretFlag(block, isSecretKey)) return true;
    return scheme && hasScheme(block);
  };
  const extraMayNeed = (block: string): boolean => {
    if (!extraBlockSafe) return true;
    for (const rule of extra) {
      if (rule.prefilter !== null) {
        if (hasAny(block, rule.prefilter)) return true;
        continue;
      }
      rule.pattern.lastIndex = 0;
      const hit = rule.pattern.test(block);
      rule.pattern.lastIndex = 0;
      if (hit) return true;
    }
    return false;
  };

  return { maskLine, maskText, mayNeed, knownValues: known };
}
