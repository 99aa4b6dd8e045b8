/** Free-text redaction: secrets inside messages, command lines and stderr. */

const QUICK = /=|"\s*:|bearer|basic|:\/\/[^\s/]*@|--?[a-z]/i;
// Keys and schemes are bounded and must start where a run of key characters starts,
// so a long token without a secret costs linear, not quadratic, time.
const KEY_VALUE = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{1,128})(\s*=\s*)("[^"]*"|'[^']*'|[^\s"'&,;]+)/g;
const JSON_PAIR = /"([^"\\]{1,100})"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
const FLAG = /(^|\s)(--?[A-Za-z][\w-]{0,64})(\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s"']*)/g;
const BEARER = /\b(Bearer)(\s+)([A-Za-z0-9._~+/=-]{6,})/gi;
const BASIC = /\b(Basic)(\s+)([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])/gi;
const URL_CREDENTIALS = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,30}:\/\/)([^\s:/@]{1,256}):([^\s/@]{1,256})@/gi;

const SECRET_SCHEME = /bearer|basic/i;

/**
 * Whether {@link redactTextWith} could change `text`, or any line of it when
 * `text` is a block of lines. `false` is a promise that every line comes back
 * unchanged; `true` means "look line by line". Costs a few memchr-speed scans:
 * every shape `redactTextWith` masks needs `=`, `"`, `-`, `://`, or a
 * bearer/basic scheme. `patterns` are the extra patterns that can be tested
 * over a block, or null when one of them cannot (see {@link blockSafe}).
 */
export function mayNeedRedactionWith(text: string, patterns: readonly RegExp[] | null): boolean {
  if (text.indexOf('=') !== -1 || text.indexOf('"') !== -1 || text.indexOf('-') !== -1 || text.indexOf('://') !== -1) return true;
  if (SECRET_SCHEME.test(text)) return true;
  if (patterns === null) return true;
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    const hit = pattern.test(text);
    pattern.lastIndex = 0;
    if (hit) return true;
  }
  return false;
}

/**
 * Whether a pattern that matches inside a line also matches the block the line
 * came from: true unless it has anchors, lookarounds or the sticky flag (a
 * word boundary is fine: the line's neighbours in a block are line breaks,
 * which are not word characters, just like a string's ends).
 */
export function blockSafe(pattern: RegExp): boolean {
  if (pattern.sticky) return false;
  // Escapes and character classes cannot anchor; what is left must hold no ^, $ or (?= (?! (?<.
  const bare = pattern.source.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
  return !/[\^$]|\(\?[=!<]/.test(bare);
}

function isKeyChar(c: number): boolean {
  // [A-Za-z0-9_.-]
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0xfeff || (c >= 0x2000 && (c <= 0x200a || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000)) || c === 0x1680;
}

/**
 * Whether the key run before any `=` names a secret. KEY_VALUE's key is
 * always the whole run of key characters before `\s*=`, so when no such run
 * is a secret key, its replacement would change nothing and is skipped.
 */
function secretKeyBeforeEquals(text: string, isSecretKey: (key: string) => boolean): boolean {
  for (let eq = text.indexOf('='); eq !== -1; eq = text.indexOf('=', eq + 1)) {
    let end = eq;
    while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && isKeyChar(text.charCodeAt(start - 1))) start--;
    if (start < end && isSecretKey(text.slice(start, end))) return true;
  }
  return false;
}

/** Returns `text` with secrets replaced by `censor`. */
export function redactTextWith(
  text: string,
  isSecretKey: (key: string) => boolean,
  patterns: readonly RegExp[],
  censor: string,
): string {
  if (QUICK.test(text)) {
    // Each rule runs only when the text has what it needs (a regex scan with a lookbehind costs
    // about a microsecond per line even when nothing matches).
    if (text.indexOf('=') !== -1 && secretKeyBeforeEquals(text, isSecretKey)) {
      text = text.replace(KEY_VALUE, (whole, key: string, eq: string) => (isSecretKey(key) ? `${key}${eq}${censor}` : whole));
    }
    if (text.indexOf('"') !== -1) {
      text = text.replace(JSON_PAIR, (whole, key: string, colon: string) => (isSecretKey(key) ? `"${key}"${colon}"${censor}"` : whole));
    }
    if (text.indexOf('-') !== -1) {
      text = text.replace(FLAG, (whole, lead: string, flag: string, gap: string) => (isSecretKey(flag) ? `${lead}${flag}${gap}${censor}` : whole));
    }
    if (SECRET_SCHEME.test(text)) {
      text = text.replace(BEARER, (_whole, scheme: string, gap: string) => `${scheme}${gap}${censor}`);
      text = text.replace(BASIC, (whole, scheme: string, gap: string, token: string) =>
        /[0-9+/=]/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token)) ? `${scheme}${gap}${censor}` : whole,
      );
    }
    if (text.indexOf('://') !== -1) {
      text = text.replace(URL_CREDENTIALS, (_whole, scheme: string, user: string) => `${scheme}${user}:${censor}@`);
    }
  }
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    text = text.replace(pattern, censor);
  }
  return text;
}
