// One way to validate an options object, shared by every @pactown package.
// Plain JavaScript with a hand-written .d.ts, so that tsup bundles it into each
// package and tsc reads it without building anything first.

/**
 * Edit distance with adjacent transpositions (optimal string alignment), so
 * that `levle` is one step from `level`.
 */
export function editDistance(a, b) {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = Array.from({ length: rows }, () => new Array(cols).fill(0));
  for (let i = 0; i < rows; i++) d[i][0] = i;
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2][j - 2] + 1);
      }
      d[i][j] = best;
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The known name nearest to `word`, or undefined when none is close enough to
 * be a plausible typo (at most a third of the longer word, and at least 1).
 * Case differences count as nothing but a tie-breaker.
 */
export function didYouMean(word, candidates) {
  const lower = word.toLowerCase();
  let best;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    let score = editDistance(lower, c);
    if (score === 0 && candidate !== word) score = 0.5;
    // A plural or singular of a known name is the likeliest slip of all.
    if (c === `${lower}s` || `${c}s` === lower) score = Math.min(score, 0.75);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(word.length, best.length) / 3));
  return bestScore <= limit ? best : undefined;
}

/** A short, safe rendering of a bad value for an error message. */
export function showValue(value) {
  if (typeof value === 'string') {
    const text = value.length > 60 ? `${value.slice(0, 60)}…` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

function codedTypeError(message, code, details) {
  const error = new TypeError(message);
  Object.defineProperty(error, 'code', { value: code, enumerable: true, writable: false, configurable: true });
  if (details) Object.assign(error, details);
  return error;
}

const KIND_TEXT = {
  boolean: 'a boolean',
  string: 'a string',
  text: 'a non-empty string',
  number: 'a finite number',
  integer: 'an integer',
  port: 'an integer port from 0 to 65535',
  function: 'a function',
  object: 'an object',
  strings: 'an array of strings',
  enum: 'one of',
  any: 'any value',
};

function wantText(rule) {
  if (rule.want) return rule.want;
  if (rule.kind === 'enum') return `one of ${rule.values.map((v) => JSON.stringify(v)).join(', ')}`;
  let text = KIND_TEXT[rule.kind];
  if (rule.kind === 'integer' || rule.kind === 'number') {
    if (rule.min !== undefined && rule.max !== undefined) text += ` from ${rule.min} to ${rule.max}`;
    else if (rule.min !== undefined) text += ` >= ${rule.min}`;
    else if (rule.max !== undefined) text += ` <= ${rule.max}`;
    if (rule.infinity) text += ' (Infinity for no limit)';
  }
  if (rule.nullable) text += ' or null';
  return text;
}

function kindAccepts(rule, value) {
  if (value === null && rule.nullable) return true;
  switch (rule.kind) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'text':
      return typeof value === 'string' && value.length > 0;
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || Number.isNaN(value)) return false;
      if (value === Number.POSITIVE_INFINITY) return rule.infinity === true;
      if (!Number.isFinite(value)) return false;
      if (rule.kind === 'integer' && !Number.isInteger(value)) return false;
      if (rule.min !== undefined && value < rule.min) return false;
      if (rule.max !== undefined && value > rule.max) return false;
      return true;
    }
    case 'port':
      return Number.isInteger(value) && value >= 0 && value <= 65535;
    case 'function':
      return typeof value === 'function';
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'enum':
      return rule.values.includes(value);
    case 'any':
      return true;
    default:
      throw new Error(`unknown option kind ${JSON.stringify(rule.kind)}`);
  }
}

function normalizeRule(name, rule) {
  const r = typeof rule === 'string' ? { kind: rule } : { ...rule };
  if (r.kind === undefined) throw new Error(`option ${name}: no kind`);
  if (r.kind === 'enum' && !Array.isArray(r.values)) throw new Error(`option ${name}: an enum needs values`);
  if (!(r.kind in KIND_TEXT)) throw new Error(`option ${name}: unknown kind ${JSON.stringify(r.kind)}`);
  return Object.freeze(r);
}

/**
 * Declares a package's options once: each name with its kind, default and
 * documentation. The result validates an input object (unknown keys, kinds,
 * ranges, custom checks), fills defaults, and renders the README table.
 */
export function defineOptions(config) {
  const { pkg, prefix } = config;
  if (typeof pkg !== 'string' || typeof prefix !== 'string') throw new Error('defineOptions needs pkg and prefix');
  const rules = Object.create(null);
  for (const [name, rule] of Object.entries(config.options)) rules[name] = normalizeRule(name, rule);
  const names = Object.freeze(Object.keys(rules));
  const unknownCode = `${prefix}_UNKNOWN_OPTION`;
  const invalidCode = `${prefix}_INVALID_OPTION`;

  function invalid(name, value, want) {
    return codedTypeError(`[${pkg}] option '${name}' must be ${want}, got ${showValue(value)}`, invalidCode, {
      option: name,
    });
  }

  function unknown(name, where) {
    const near = didYouMean(name, names);
    const hint = near ? ` (did you mean '${near}'?)` : '';
    const place = where ? ` in ${where}` : '';
    return codedTypeError(`[${pkg}] unknown option '${name}'${place}${hint}`, unknownCode, {
      option: name,
      suggestion: near,
    });
  }

  function parse(input, where) {
    if (input === undefined || input === null) input = {};
    if (typeof input !== 'object' || Array.isArray(input)) {
      throw codedTypeError(`[${pkg}] ${where ?? 'options'} must be an object, got ${showValue(input)}`, invalidCode);
    }
    for (const key of Object.keys(input)) {
      if (!(key in rules) && input[key] !== undefined) throw unknown(key, where);
    }
    const out = {};
    for (const name of names) {
      const rule = rules[name];
      let value = input[name];
      if (value === undefined) {
        if (rule.required) throw invalid(name, value, wantText(rule));
        value = typeof rule.default === 'function' && rule.kind !== 'function' ? rule.default() : rule.default;
        if (value !== undefined) out[name] = value;
        continue;
      }
      if (!kindAccepts(rule, value)) throw invalid(name, value, wantText(rule));
      if (rule.check) {
        const problem = rule.check(value, input);
        if (typeof problem === 'string') throw invalid(name, value, problem);
      }
      out[name] = rule.map ? rule.map(value, input) : value;
    }
    return out;
  }

  function markdown() {
    const lines = ['| option | type | default | meaning |', '|---|---|---|---|'];
    for (const name of names) {
      const rule = rules[name];
      const shownDefault =
        rule.defaultText ??
        (rule.default === undefined || typeof rule.default === 'function' ? '' : `\`${JSON.stringify(rule.default)}\``);
      lines.push(`| \`${name}\` | ${wantText(rule)} | ${shownDefault} | ${rule.doc ?? ''} |`);
    }
    return lines.join('\n');
  }

  return Object.freeze({ pkg, names, rules, parse, invalid, unknown, markdown, codes: { unknownCode, invalidCode } });
}

/**
 * Rejects keys of `input` that are not in `known`, with the same message and
 * code as defineOptions, for objects whose fields are checked by hand.
 */
export function rejectUnknownKeys(input, known, { pkg, prefix, where }) {
  if (input === null || typeof input !== 'object') return;
  for (const key of Object.keys(input)) {
    if (known.includes(key) || input[key] === undefined) continue;
    const near = didYouMean(key, known);
    const hint = near ? ` (did you mean '${near}'?)` : '';
    const place = where ? ` in ${where}` : '';
    throw codedTypeError(`[${pkg}] unknown option '${key}'${place}${hint}`, `${prefix}_UNKNOWN_OPTION`, {
      option: key,
      suggestion: near,
    });
  }
}

/** A TypeError carrying a stable `code`, for checks that do not fit a table. */
export function optionError(pkg, code, message) {
  return codedTypeError(`[${pkg}] ${message}`, code);
}
