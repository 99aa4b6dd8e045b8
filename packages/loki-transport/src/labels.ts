/**
 * Label names Loki accepts at push time: `[a-zA-Z_][a-zA-Z0-9_]*`. (Colons are
 * legal in Prometheus metric names but not in label names; Loki's validation
 * answers 400 for them, so they are replaced too.)
 */
const VALID_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Loki's default `max_label_value_length`, in bytes. */
export const MAX_LABEL_VALUE_BYTES = 2048;
/** Loki's default `max_label_names_per_series`. */
export const MAX_LABELS = 15;

/** Replaces every character Loki refuses in a label name with `_` (a leading digit gets a `_` prefix). */
export function sanitizeLabelName(name: string): string {
  if (VALID_NAME.test(name)) return name;
  let out = name.replace(/[^a-zA-Z0-9_]/g, '_');
  if (out === '' || /^[0-9]/.test(out)) out = `_${out}`;
  return out;
}

/** Whether a (sanitised) name is one of Loki's reserved `__internal__` names. */
export function isReservedLabelName(name: string): boolean {
  return name.startsWith('__');
}

// Go's strconv.Quote prints letters, marks, numbers, punctuation, symbols and the ASCII space as they are.
const NEEDS_ESCAPE = /[^\p{L}\p{M}\p{N}\p{P}\p{S} ]|["\\]/u;
const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '"': '\\"',
  '\\': '\\\\',
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone UTF-16 surrogates with U+FFFD, as a UTF-8 encoder would. */
export function toWellFormed(value: string): string {
  return value.replace(LONE_SURROGATE, '\uFFFD');
}

// What Loki refuses in a label value, along with the whole push: U+FFFD (raw, or escaped, as Loki
// prints the rewritten labels raw and parses them again) and lone surrogates (U+FFFD once in UTF-8).
const REFUSED_RUNE = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const REFUSED_RUNES = new RegExp(REFUSED_RUNE.source, 'g');

/** Whether Loki would refuse `value` as a label value for its characters (U+FFFD or a lone surrogate). */
export function hasRefusedRune(value: string): boolean {
  return REFUSED_RUNE.test(value);
}

/** `value` with each U+FFFD and lone surrogate replaced by `?`, so Loki takes the label (and the push). */
export function acceptedLabelValue(value: string): string {
  return hasRefusedRune(value) ? value.replace(REFUSED_RUNES, '?') : value;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * Quotes a label value the way Go's `strconv.Quote` does, so Loki's selector
 * parser reads back exactly the original value. Lone surrogates become U+FFFD
 * (they cannot travel as UTF-8).
 */
export function quoteLabelValue(value: string): string {
  const text = toWellFormed(value);
  if (!NEEDS_ESCAPE.test(text)) return `"${text}"`;
  let out = '"';
  for (const ch of text) {
    const named = NAMED_ESCAPES[ch];
    if (named !== undefined) out += named;
    else if (!NEEDS_ESCAPE.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      if (cp < 0x80) out += `\\x${hex(cp, 2)}`;
      else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`;
      else out += `\\U${hex(cp, 8)}`;
    }
  }
  return `${out}"`;
}

/** Cuts a value to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  if (value.length * 3 <= maxBytes) return value;
  const buf = Buffer.from(value, 'utf8');
  if (buf.length <= maxBytes) return value;
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) to a character start.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/**
 * The selector text Loki keys a stream by, `{a="b", c="d"}`, names sorted.
 * `labels` must already hold valid, unique names.
 */
export function formatSelector(labels: Readonly<Record<string, string>>): string {
  const names = Object.keys(labels).sort();
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    out += `${i === 0 ? '' : ', '}${name}=${quoteLabelValue(labels[name]!)}`;
  }
  return `${out}}`;
}
