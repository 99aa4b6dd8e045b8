import { CODES, coreError } from './codes.js';
import { serializeError } from './error-data.js';
import { createEngine, type Engine, type PemState, prepareKnownValues } from './redact-line.js';
import {
  DEFAULT_REDACT_KEYS,
  DEFAULT_RULES,
  keyWords,
  normalizeKey,
  type RedactionRule,
  SECRET_WORDS,
} from './redact-rules.js';
import type { SerializedError } from './types.js';
import { checkKeys, KNOWN } from './known-options.js';

export { DEFAULT_REDACT_KEYS };

/**
 * A key for a log call's fields saying that the message is masked already,
 * where its text entered (a captured line through `createLineMasker`):
 * `log.info({ stream, [MASKED]: true }, line)`. The message is then not
 * masked a second time; fields and the error still are. A symbol, so it never
 * shows among the record's fields; `Symbol.for`, so every copy of this
 * package (ESM and CommonJS) knows it.
 */
export const MASKED: unique symbol = Symbol.for('@pactown/log-core.masked');

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /** Extra key fragments to treat as secret, added to {@link DEFAULT_REDACT_KEYS}. @default [] */
  keys?: readonly string[];
  /** Exact field paths to censor, dotted, `*` for any key: `'req.headers.x-user'`, `'users.*.email'`. @default [] */
  paths?: readonly string[];
  /** Extra patterns masked in free text by `redactText` (each a rule without a prefilter). @default [] */
  patterns?: ReadonlyArray<RegExp | string>;
  /** Extra text rules, run after the default ones. @default [] */
  rules?: readonly RedactionRule[];
  /** Ids of default rules to turn off (see `DEFAULT_RULES`). @default [] */
  disable?: readonly string[];
  /** Values masked wherever they appear, whatever the text around them (a CI system's masked secrets); 4+ characters. @default [] */
  knownValues?: readonly string[];
  /** Replacement for secret values. @default '[REDACTED]' */
  censor?: string;
  /** Keep the default key list and key words. @default true */
  defaults?: boolean;
}

/** What {@link createRedactor} returns. */
export interface Redactor {
  /** A copy of `obj` with secret values censored (the same object when nothing needed censoring). */
  redactObject<T>(obj: T): T;
  /** Masks secrets in free text: `KEY=value`, `"key": "value"`, `--key value`, bearer/basic credentials, URL passwords, patterns. */
  redactText(text: string): string;
  /**
   * Whether `redactText` could change `text`, or any line of it when `text`
   * holds many lines: `false` promises that every line comes back unchanged,
   * so a reader of a busy stream can skip the per-line work for a whole chunk.
   */
  mayNeedRedaction(text: string): boolean;
  /** A copy of an environment map with secret-named values censored and secrets inside the other values masked. */
  redactEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined>;
  /** Whether a key names a secret. */
  isSecretKey(key: string): boolean;
  /** Redacts the value of field `key` (the key itself is checked too). */
  redactField(key: string, value: unknown): unknown;
  /** Applies the configured paths to a fields object, in place. */
  applyPaths(fields: Record<string, unknown>): void;
  /** A redactor with the same settings that also masks `values` (say, a run's own secret environment values). */
  withKnownValues(values: readonly string[]): Redactor;
  /** A redactor with the same settings plus these: lists (`keys`, `paths`, `patterns`, `rules`, `disable`, `knownValues`) are appended, `censor` replaced. */
  extend(options: RedactorOptions): Redactor;
  /** Number of configured paths. */
  readonly paths: number;
  readonly censor: string;
  /** The values masked by value (after splitting at line breaks and dropping short ones). */
  readonly knownValues: readonly string[];
}

/** Nesting walked by redaction; anything deeper is replaced by {@link TOO_DEEP}. */
const MAX_DEPTH = 8;
const TOO_DEEP = '[too deep]';

/** Builds a redactor; options are validated here and nowhere else. */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const opts = normalize(options);
  const fragments = [...(opts.defaults ? DEFAULT_REDACT_KEYS : []), ...opts.keys].map(normalizeKey).filter(Boolean);
  const words = opts.defaults ? SECRET_WORDS : new Set<string>();
  const paths = opts.paths.map((p) => p.split('.'));
  const censor = opts.censor;
  const cache = new Map<string, boolean>();

  const isSecretKey = (key: string): boolean => {
    let hit = cache.get(key);
    if (hit === undefined) {
      const parts = keyWords(key);
      hit = fragmentEndsWord(parts, fragments);
      // A word alone names a secret except `pwd`, which alone is the working directory.
      if (!hit && words.size > 0) hit = parts.some((w) => words.has(w) && (w !== 'pwd' || parts.length > 1));
      if (cache.size > 10_000) cache.clear();
      cache.set(key, hit);
    }
    return hit;
  };

  const rules: RedactionRule[] = [
    ...opts.patterns.map((p, i) => ({ id: `pattern-${i}`, pattern: typeof p === 'string' ? new RegExp(p, 'g') : p })),
    ...opts.rules,
  ];
  const knownValues = prepareKnownValues(opts.knownValues, censor);
  const engine: Engine = createEngine({
    isSecretKey,
    keyHints: [...fragments, ...words],
    censor,
    disabled: new Set(opts.disable),
    rules,
    knownValues,
  });
  const redactText = (text: string): string => engine.maskText(text);

  const redactValue = (value: unknown, depth: number, seen: Set<object> | undefined): unknown => {
    if (typeof value === 'string') return engine.maskText(value);
    if (value === null || typeof value !== 'object') return value;
    // Not walked any further, so not written either: nothing below can leak.
    if (depth >= MAX_DEPTH) return TOO_DEEP;
    if (value instanceof Error) return redactErrorData(serializeError(value), depth, seen);
    if (depth > 2) {
      seen ??= new Set();
      if (seen.has(value)) return '[Circular]';
      seen.add(value);
    }
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = redactValue(value[i], depth + 1, seen);
        if (next !== value[i]) (copy ??= value.slice())[i] = next;
      }
      return copy ?? value;
    }
    if (hasToJSON(value)) return redactJSON(value, depth, seen);
    if (!isPlain(value) && !isRecordLike(value)) return value;
    return redactKeys(value as Record<string, unknown>, depth, seen);
  };

  const redactKeys = (
    src: Record<string, unknown>,
    depth: number,
    seen: Set<object> | undefined,
  ): Record<string, unknown> => {
    let copy: Record<string, unknown> | undefined;
    for (const key in src) {
      const v = src[key];
      const next = isSecretKey(key) ? censor : redactValue(v, depth + 1, seen);
      if (next !== v) (copy ??= { ...src })[key] = next;
    }
    return copy ?? src;
  };

  /** What JSON.stringify would write for `value` is what its toJSON() returns: that is redacted (its own toJSON is not called again, as in JSON). */
  const redactJSON = (value: object, depth: number, seen: Set<object> | undefined): unknown => {
    let json: unknown;
    try {
      json = (value as { toJSON(key: string): unknown }).toJSON('');
    } catch {
      // The formatter will meet the same failure and write a placeholder.
      return value;
    }
    if (json === null || typeof json !== 'object') return value;
    let next: unknown;
    if (Array.isArray(json) || json instanceof Error) next = redactValue(json, depth, seen);
    else next = redactKeys(json as Record<string, unknown>, depth, seen);
    return next === json ? value : next;
  };

  /** An error's fields by key, and the text of its message, stack and cause chain. */
  const redactErrorData = (
    err: SerializedError,
    depth: number,
    seen: Set<object> | undefined,
    causes = 0,
  ): SerializedError => {
    let copy: SerializedError | undefined;
    for (const key in err) {
      const v = err[key];
      let next: unknown;
      if ((key === 'message' || key === 'stack') && typeof v === 'string') next = redactText(v);
      else if (key === 'cause' && v !== null && typeof v === 'object' && causes < MAX_DEPTH)
        next = redactErrorData(v as SerializedError, depth, seen, causes + 1);
      else if (key === 'type') next = v;
      else next = isSecretKey(key) ? censor : redactValue(v, depth + 1, seen);
      if (next !== v) (copy ??= { ...err })[key] = next;
    }
    return copy ?? err;
  };

  const mayNeedRedaction = (text: string): boolean => engine.mayNeed(text);

  const applyPaths = (fields: Record<string, unknown>): void => {
    for (const path of paths) censorPath(fields, path, 0, censor);
  };

  const redactor: Redactor = {
    censor,
    knownValues: engine.knownValues,
    paths: paths.length,
    withKnownValues: (values) => createRedactor({ ...opts, knownValues: [...opts.knownValues, ...values] }),
    extend: (more) => {
      const add = normalize({ ...more, defaults: opts.defaults });
      return createRedactor({
        keys: [...opts.keys, ...add.keys],
        paths: [...opts.paths, ...add.paths],
        patterns: [...opts.patterns, ...add.patterns],
        rules: [...opts.rules, ...add.rules],
        disable: [...opts.disable, ...add.disable],
        knownValues: [...opts.knownValues, ...add.knownValues],
        censor: more.censor ?? opts.censor,
        defaults: opts.defaults,
      });
    },
    isSecretKey,
    redactText,
    mayNeedRedaction,
    applyPaths,
    redactField: (key, value) => (isSecretKey(key) ? censor : redactValue(value, 0, undefined)),
    redactObject<T>(obj: T): T {
      const out = redactValue(obj, 0, undefined) as T;
      if (paths.length === 0 || out === null || typeof out !== 'object') return out;
      const copy = (out === obj ? structuredCopy(out) : out) as Record<string, unknown>;
      applyPaths(copy);
      return copy as T;
    },
    redactEnv(env) {
      const out: Record<string, string | undefined> = {};
      for (const key of Object.keys(env)) {
        const value = env[key];
        out[key] = value === undefined ? value : isSecretKey(key) ? censor : redactText(value);
      }
      return out;
    },
  };
  engines.set(redactor, engine);
  errorRedactors.set(redactor, (err) => {
    const data = serializeError(err);
    const out = redactErrorData(data, 0, undefined);
    if (paths.length === 0) return out;
    const copy = out === data ? { ...out } : out;
    applyPaths(copy);
    return copy;
  });
  return redactor;
}

const errorRedactors = new WeakMap<Redactor, (err: unknown) => SerializedError>();
const engines = new WeakMap<Redactor, Engine>();

/** Masks one line of a stream, carrying the PEM block state in `state` (for the line masker). */
export function maskLineWith(redactor: Redactor, line: string, state: PemState): string {
  const engine = engines.get(redactor);
  if (engine === undefined)
    throw coreError(CODES.INVALID_ARGUMENT, '[@pactown/log-core] Not a redactor made by createRedactor().');
  return engine.maskLine(line, state);
}

/**
 * Serializes anything given as a record's error and redacts it: fields by key
 * (and the configured paths), and secrets in the text of its message, stack and
 * cause chain.
 */
export function redactError(redactor: Redactor, err: unknown): SerializedError {
  // Every redactor comes from createRedactor, which registers its error redactor.
  return errorRedactors.get(redactor)!(err);
}

function censorPath(node: Record<string, unknown>, path: string[], i: number, censor: string): void {
  const key = path[i]!;
  const last = i === path.length - 1;
  const keys = key === '*' ? Object.keys(node) : Object.hasOwn(node, key) ? [key] : [];
  for (const k of keys) {
    if (last) {
      node[k] = censor;
      continue;
    }
    const child = node[k];
    if (child !== null && typeof child === 'object') {
      const copy = (Array.isArray(child) ? child.slice() : { ...(child as object) }) as Record<string, unknown>;
      node[k] = copy;
      censorPath(copy, path, i + 1, censor);
    }
  }
}

function structuredCopy(value: object): object {
  return Array.isArray(value) ? value.slice() : { ...value };
}

/** A class instance that serializes as its own fields (a serialized request, an options object), not a Map, Set or buffer. */
function isRecordLike(value: object): boolean {
  return !(
    ArrayBuffer.isView(value) ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof RegExp ||
    value instanceof Promise
  );
}

/** A toJSON() worth calling: not a Date's or a buffer's (whose JSON cannot hold a secret key). */
function hasToJSON(value: object): boolean {
  return (
    typeof (value as { toJSON?: unknown }).toJSON === 'function' &&
    !(value instanceof Date) &&
    !ArrayBuffer.isView(value)
  );
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Whether a fragment occurs in the joined words of a key and ends where one of
 * its words ends (a plural `s` allowed): `DB_PASSWORD`, `csrftoken`, `x-api-key`,
 * `API_TOKENS` name secrets, `tokenizer` does not.
 */
function fragmentEndsWord(parts: readonly string[], fragments: readonly string[]): boolean {
  const joined = parts.join('');
  const ends = new Set<number>();
  let at = 0;
  for (const w of parts) {
    at += w.length;
    ends.add(at);
  }
  for (const f of fragments) {
    for (let i = joined.indexOf(f); i !== -1; i = joined.indexOf(f, i + 1)) {
      const end = i + f.length;
      if (ends.has(end) || (joined.charCodeAt(end) === 0x73 && ends.has(end + 1))) return true;
    }
  }
  return false;
}

const KNOWN_RULE_IDS: ReadonlySet<string> = new Set(DEFAULT_RULES.map((r) => r.id));

function isRule(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const r = v as RedactionRule;
  return (
    typeof r.id === 'string' &&
    r.pattern instanceof RegExp &&
    (r.prefilter === undefined ||
      (Array.isArray(r.prefilter) && r.prefilter.every((p) => typeof p === 'string' && p.length > 0))) &&
    (r.replace === undefined || typeof r.replace === 'string' || typeof r.replace === 'function')
  );
}

function normalize(options: RedactorOptions): Required<RedactorOptions> {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid redact options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.redact, 'redact');
  const out = Object.assign(Object.create(null), options) as RedactorOptions;
  const list = (name: keyof RedactorOptions, ok: (v: unknown) => boolean) => {
    const v = out[name] ?? [];
    if (!Array.isArray(v) || !v.every(ok)) {
      throw coreError(
        CODES.INVALID_OPTION,
        `[@pactown/log-core] Invalid option redact.${name}: ${String(v)}; expected an array${name === 'disable' ? ' of default rule ids' : name === 'rules' ? ' of {id, pattern, prefilter?, replace?}' : ''}.`,
      );
    }
    return v;
  };
  const censor = out.censor ?? '[REDACTED]';
  if (typeof censor !== 'string') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option redact.censor: ${String(censor)}; expected a string.`,
    );
  }
  return {
    keys: list('keys', (v) => typeof v === 'string'),
    paths: list('paths', (v) => typeof v === 'string' && v.length > 0),
    patterns: list('patterns', (v) => typeof v === 'string' || v instanceof RegExp),
    rules: list('rules', isRule) as RedactionRule[],
    disable: list('disable', (v) => typeof v === 'string' && KNOWN_RULE_IDS.has(v)),
    knownValues: list('knownValues', (v) => typeof v === 'string'),
    censor,
    defaults: out.defaults !== false,
  };
}

let current: Redactor | undefined;
let version = 0;

/** The redactor every logger applies (the defaults until `configure({redact})` sets another). */
export function getRedactor(): Redactor {
  current ??= createRedactor();
  return current;
}

/** Masks secrets in `text` with the redactor every logger applies (`getRedactor().redactText`). */
export function redactText(text: string): string {
  return getRedactor().redactText(text);
}

/** Replaces the global redactor. */
export function setRedactor(redactor: Redactor): void {
  current = redactor;
  version++;
}

/** Changes whenever the global redactor is replaced (bound fields are re-redacted lazily). */
export function redactorVersion(): number {
  return version;
}
