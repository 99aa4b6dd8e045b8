/**
 * Secret masking for free text. The built-in rules cover what crash output
 * usually leaks; log-core's configured redactor (its keys and patterns) runs
 * after them when log-core provides one.
 */
import { getRedactor } from '@pactown/log-core';

/** What a masked secret is replaced with. */
export const CENSOR = '[REDACTED]';

/** `source` with every ASCII letter matching either case: the `i` flag would also fold the camelCase check of {@link SECRET_KEY}. */
function anyCase(source: string): string {
  return source.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

const SECRET_WORD = anyCase('passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?|authorization|auth|session[_-]?id|cookie|dsn');

// A secret word with any prefix (`DB_PASSWORD`, `dbPassword`), and a suffix after a separator (`SECRET_KEY`)
// or a camelCase boundary (`secretKey`, `passwordHash`), but not a longer word (`author`, `tokenizer`).
const SECRET_KEY = `[\\w.-]*?(?:${SECRET_WORD})(?:[_.-][\\w.-]*|(?<=[a-z])[A-Z][\\w.-]*)?`;

// `KEY=value`, `key: value`, `"key": "value"`; values already masked by a scheme rule are skipped.
const KEY_VALUE = new RegExp(
  `(?<![\\w.-])(["']?)(${SECRET_KEY})\\1(\\s*[=:]\\s*)(?!${anyCase('(?:bearer|basic|token)')}\\s)("[^"\\n]*"|'[^'\\n]*'|[^\\s"',;&\u2400-\u2421]+)`,
  'g',
);
const BEARER = /\b(Bearer|Token)(\s+)[A-Za-z0-9._~+/-]{6,}=*/gi;
const BASIC = /(Authorization["']?\s*[:=]\s*["']?Basic\s+)[A-Za-z0-9+/]{4,}=*/gi;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi;
const PRIVATE_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;
const KNOWN_TOKENS =
  /\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+)\b/g;

function maskValue(value: string): string {
  const q = value[0];
  return q === '"' || q === "'" ? `${q}${CENSOR}${q}` : CENSOR;
}

/** Applies the built-in rules and any extra patterns (whole matches are masked). */
export function redactBuiltIn(text: string, extra: readonly RegExp[] = []): string {
  let out = text;
  if (out.includes('-----BEGIN')) out = out.replace(PRIVATE_KEY, `-----BEGIN $1PRIVATE KEY-----\n${CENSOR}\n-----END $1PRIVATE KEY-----`);
  out = out.replace(BEARER, `$1$2${CENSOR}`);
  out = out.replace(BASIC, `$1${CENSOR}`);
  if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1${CENSOR}@`);
  out = out.replace(KNOWN_TOKENS, CENSOR);
  out = out.replace(KEY_VALUE, (_m, q: string, key: string, sep: string, value: string) => `${q}${key}${q}${sep}${maskValue(value)}`);
  for (const pattern of extra) out = out.replace(pattern, CENSOR);
  return out;
}


/**
 * Builds the text redactor for one write: built-in rules, extra patterns, then
 * log-core's configured redaction.
 */
export function buildRedactor(extra: readonly RegExp[], useLogCore: boolean): (text: string) => string {
  const global = extra.map((p) => (p.global ? p : new RegExp(p.source, `${p.flags}g`)));
  // Read at write time: log-core's configuration may change while the process runs.
  const core = useLogCore ? getRedactor() : undefined;
  return (text) => {
    if (text === '') return text;
    const own = redactBuiltIn(text, global);
    return core ? core.redactText(own) : own;
  };
}
