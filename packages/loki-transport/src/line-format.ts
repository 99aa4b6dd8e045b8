import type { NormalizedOptions } from './options.js';
import type { LokiRecord } from './types.js';

export type LineFormatter = (record: LokiRecord, skip: ReadonlySet<string>) => string;

/** Whether a value can be written without quotes (no space, `=`, `"`, `\`, control or Unicode space). */
export function isBare(text: string): boolean {
  return text.length > 0 && !NOT_BARE.test(text);
}
// Controls, space, `"`, `=`, `\`, DEL, C1 controls and Unicode spaces (a native scan, fast even before the JIT warms up).
const NOT_BARE = /[\u0000-\u0020"=\\\u007f-\u009f\s]/;

/** A logfmt value: bare when it is one plain token, else a double-quoted string with JSON escapes. */
export function logfmtValue(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  else if (value === null || value === undefined) return value === null ? 'null' : '';
  else if (value instanceof Date) return value.toISOString();
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return quoted(text);
}

/**
 * `text` as a logfmt value: as it is when it is bare, else in double quotes,
 * with JSON's escapes where it has anything JSON escapes (`"`, `\`, controls,
 * lone surrogates). The same as `isBare(text) ? text : JSON.stringify(text)`
 * in one scan of the characters, and without a copy when there is nothing to
 * escape (most messages: words and spaces).
 */
function quoted(text: string): string {
  const n = text.length;
  // A long text is left to the regex scan (native code), which wins over a loop there.
  if (n > 256) return isBare(text) ? text : JSON.stringify(text);
  let bare = n > 0;
  let surrogate = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x7f) {
      if (c > 0x20) {
        if (c === 0x22 || c === 0x5c) return JSON.stringify(text);
        if (c === 0x3d) bare = false;
      } else if (c === 0x20) bare = false;
      else return JSON.stringify(text);
    } else if (c <= 0xa0) bare = false;
    else if (c >= 0xd800 && c <= 0xdfff) surrogate = true;
    else if (c >= 0x1680 && isUnicodeSpace(c)) bare = false;
  }
  if (bare) return text;
  return surrogate ? JSON.stringify(text) : `"${text}"`;
}

/** The characters above U+00A0 that `\s` matches. */
function isUnicodeSpace(c: number): boolean {
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** ` key=` as a field's key is written in a logfmt line. */
export function logfmtKey(name: string): string {
  return ` ${isBare(name) ? name : JSON.stringify(name)}=`;
}

export function logfmtFields(
  out: string,
  prefix: string,
  obj: Readonly<Record<string, unknown>>,
  skip: ReadonlySet<string>,
  rename: Record<string, string>,
  depth: number,
): string {
  for (const key in obj) {
    if (prefix === '' && skip.has(key)) continue;
    const value = obj[key];
    if (value === undefined) continue;
    const name = prefix + (prefix === '' ? (rename[key] ?? key) : key);
    if (depth < 3 && value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      out = logfmtFields(out, `${name}.`, value as Record<string, unknown>, skip, rename, depth + 1);
    } else {
      out += logfmtKey(name) + logfmtValue(value);
    }
  }
  return out;
}

/**
 * `level=info logger=pactown.security msg="..." user=user123 anomaly=RATE_LIMIT_EXCEEDED`:
 * every field shows as `key=value`, so LogQL line filters such as
 * `|~ "user=user123"` find it; nested objects flatten to dotted keys.
 */
export function logfmtFormatter(options: Pick<NormalizedOptions, 'renameFields'>): LineFormatter {
  const rename = options.renameFields;
  const prefixes = new LogfmtPrefixes();
  return (record, skip) => {
    let out = prefixes.get(record.levelName, record.name) + logfmtValue(record.message);
    out = logfmtFields(out, '', record.fields, skip, rename, 0);
    if (record.err) {
      out += ` err.type=${logfmtValue(record.err.type)} err.message=${logfmtValue(record.err.message)}`;
      if (record.err.stack) out += ` err.stack=${logfmtValue(record.err.stack)}`;
    }
    return out;
  };
}

/** One JSON object per line: `{"level":"info","logger":...,"msg":...,...fields,"err":{...}}`. */
export function jsonFormatter(): LineFormatter {
  return (record, skip) => {
    const obj: Record<string, unknown> = {
      level: record.levelName.toLowerCase(),
      logger: record.name,
      msg: record.message,
    };
    for (const key in record.fields) {
      if (!skip.has(key) && !(key in obj)) obj[key] = record.fields[key];
    }
    if (record.err) obj.err = record.err;
    try {
      return JSON.stringify(obj);
    } catch {
      return JSON.stringify({ level: obj.level, logger: obj.logger, msg: obj.msg, unserializable: true });
    }
  };
}

/** Wraps a plain `(record) => string` formatter (a log-core pattern, a user function). */
export function functionFormatter(format: (record: LokiRecord) => string): LineFormatter {
  return (record) => format(record);
}

/** A fresh flat copy of a string: a piece sliced from a large text would keep all of it alive in a cache. */
export function detached(text: string): string {
  // Short strings are copied when sliced anyway; a JSON round trip keeps every code unit.
  return text.length < 13 ? text : (JSON.parse(JSON.stringify(text)) as string);
}

/**
 * `level=info logger=pactown.sandbox msg=`: the same for every line of a
 * logger at a level, so built once per pair (a bounded cache).
 */
export class LogfmtPrefixes {
  #byLevel = new Map<string, Map<string, string>>();

  get(levelName: string, name: string): string {
    let byName = this.#byLevel.get(levelName);
    if (byName === undefined) {
      if (this.#byLevel.size >= 64) this.#byLevel.clear();
      byName = new Map();
      this.#byLevel.set(detached(levelName), byName);
    }
    let prefix = byName.get(name);
    if (prefix === undefined) {
      prefix = detached(`level=${logfmtValue(levelName.toLowerCase())} logger=${logfmtValue(name)} msg=`);
      if (byName.size >= 1000) byName.clear();
      byName.set(detached(name), prefix);
    }
    return prefix;
  }
}
