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

/** Returns `text` with secrets replaced by `censor`. */
export function redactTextWith(
  text: string,
  isSecretKey: (key: string) => boolean,
  patterns: readonly RegExp[],
  censor: string,
): string {
  if (QUICK.test(text)) {
    text = text.replace(KEY_VALUE, (whole, key: string, eq: string) => (isSecretKey(key) ? `${key}${eq}${censor}` : whole));
    text = text.replace(JSON_PAIR, (whole, key: string, colon: string) => (isSecretKey(key) ? `"${key}"${colon}"${censor}"` : whole));
    text = text.replace(FLAG, (whole, lead: string, flag: string, gap: string) =>
      isSecretKey(flag) ? `${lead}${flag}${gap}${censor}` : whole,
    );
    text = text.replace(BEARER, (_whole, scheme: string, gap: string) => `${scheme}${gap}${censor}`);
    text = text.replace(BASIC, (whole, scheme: string, gap: string, token: string) =>
      /[0-9+/=]/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token)) ? `${scheme}${gap}${censor}` : whole,
    );
    text = text.replace(URL_CREDENTIALS, (_whole, scheme: string, user: string) => `${scheme}${user}:${censor}@`);
  }
  for (const pattern of patterns) {
    pattern.lastIndex = 0;
    text = text.replace(pattern, censor);
  }
  return text;
}
