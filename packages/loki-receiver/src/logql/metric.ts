import { LokiHttpError, parseError } from '../errors.js';
import { type LogQuery, parseLogQuery } from './parser.js';
import { Re2Error, compileLabelReplace } from './re2.js';
import { readGoString } from '../go-quote.js';

// LogQL metric queries (docs: LogQL metric queries): log range aggregations
// (`count_over_time`, `rate`, `bytes_over_time`, `bytes_rate`,
// `absent_over_time`) and unwrapped range aggregations (`sum_over_time`,
// `avg_over_time`, `min_over_time`, `max_over_time`, `first_over_time`,
// `last_over_time`, `stddev_over_time`, `stdvar_over_time`,
// `quantile_over_time`, `rate` with unwrap) over a log query, a range and an
// optional `offset`; the aggregation operators `sum`, `count`, `avg`, `min`,
// `max`, `stddev`, `stdvar`, `topk` and `bottomk` with `by (...)` or
// `without (...)`; binary operators (arithmetic, comparison with `bool`,
// `and`, `or`, `unless`, with `on (...)` / `ignoring (...)`) between vectors
// and number literals.

export type RangeFunction =
  | 'count_over_time'
  | 'rate'
  | 'bytes_over_time'
  | 'bytes_rate'
  | 'absent_over_time'
  | 'sum_over_time'
  | 'avg_over_time'
  | 'min_over_time'
  | 'max_over_time'
  | 'first_over_time'
  | 'last_over_time'
  | 'stddev_over_time'
  | 'stdvar_over_time'
  | 'quantile_over_time';
export type Aggregation = 'sum' | 'count' | 'avg' | 'min' | 'max' | 'stddev' | 'stdvar' | 'topk' | 'bottomk';
export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '^'
  | '=='
  | '!='
  | '>'
  | '>='
  | '<'
  | '<='
  | 'and'
  | 'or'
  | 'unless';

export type MetricNode =
  | {
      kind: 'range';
      fn: RangeFunction;
      query: LogQuery;
      rangeNs: bigint;
      offsetNs: bigint;
      /** quantile_over_time's φ. */
      param?: number;
      by?: string[];
      without?: string[];
    }
  | { kind: 'agg'; op: Aggregation; by?: string[]; without?: string[]; param?: number; inner: MetricNode }
  | {
      kind: 'binop';
      op: BinaryOp;
      returnBool: boolean;
      on?: string[];
      ignoring?: string[];
      left: MetricNode;
      right: MetricNode;
    }
  | { kind: 'literal'; value: number }
  /** `vector(n)`: one sample without labels. */
  | { kind: 'vector'; value: number }
  | { kind: 'sort'; descending: boolean; inner: MetricNode }
  | {
      kind: 'label_replace';
      inner: MetricNode;
      dst: string;
      replacement: string;
      src: string;
      replace: (value: string, replacement: string) => string | undefined;
    };

const LOG_RANGE = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate', 'absent_over_time']);
const UNWRAPPED = new Set([
  'rate',
  'sum_over_time',
  'avg_over_time',
  'min_over_time',
  'max_over_time',
  'first_over_time',
  'last_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'absent_over_time',
]);
const RANGE = new Set([...LOG_RANGE, ...UNWRAPPED]);
/** Range functions that take `by`/`without` after their parentheses (pkg/logql/syntax/ast.go validate). */
const GROUPABLE_RANGE = new Set([
  'avg_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'quantile_over_time',
  'max_over_time',
  'min_over_time',
  'first_over_time',
  'last_over_time',
]);
const AGG = new Set(['sum', 'count', 'avg', 'min', 'max', 'stddev', 'stdvar', 'topk', 'bottomk']);
const OTHER_METRIC = /^(rate_counter|approx_topk|quantile_over_time_sketch)$/;

const UNITS: Record<string, bigint> = {
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
  y: 31_536_000_000_000_000n,
};

/** Prometheus durations (`5m`, `1h30m`) in nanoseconds. */
export function promDuration(text: string): bigint | undefined {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((n, p) => n + BigInt(p[1]!) * UNITS[p[2]!]!, 0n);
}

/** True when the query is a metric query: it does not start with a stream selector. */
export function isMetricQuery(query: string): boolean {
  let rest = query;
  // Comments and parentheses may come first.
  for (;;) {
    const trimmed = rest.replace(/^\s+/, '');
    if (trimmed.startsWith('#')) {
      const nl = trimmed.indexOf('\n');
      rest = nl < 0 ? '' : trimmed.slice(nl + 1);
      continue;
    }
    rest = trimmed;
    break;
  }
  return rest !== '' && !rest.startsWith('{');
}

class Scanner {
  at = 0;
  constructor(readonly text: string) {}
  space(): void {
    for (;;) {
      while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
      if (this.text[this.at] !== '#') return;
      const nl = this.text.indexOf('\n', this.at);
      this.at = nl < 0 ? this.text.length : nl + 1;
    }
  }
  ident(): string {
    this.space();
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.text.slice(this.at));
    if (!m) throw this.fail(`unexpected ${this.shown()}, expecting IDENTIFIER`);
    this.at += m[0].length;
    return m[0];
  }
  peekIdent(): string | undefined {
    this.space();
    return /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.text.slice(this.at))?.[0];
  }
  peek(n = 1): string {
    this.space();
    return this.text.slice(this.at, this.at + n);
  }
  expect(ch: string): void {
    this.space();
    if (!this.text.startsWith(ch, this.at)) throw this.fail(`unexpected ${this.shown()}, expecting ${ch}`);
    this.at += ch.length;
  }
  maybe(ch: string): boolean {
    this.space();
    if (!this.text.startsWith(ch, this.at)) return false;
    this.at += ch.length;
    return true;
  }
  shown(): string {
    this.space();
    if (this.at >= this.text.length) return '$end';
    return /^[a-zA-Z_][a-zA-Z0-9_]*|^\S/.exec(this.text.slice(this.at))![0];
  }
  fail(why: string): LokiHttpError {
    return new LokiHttpError(400, `parse error at line 1, col ${this.at + 1}: syntax error: ${why}`);
  }
  /** The log query text up to the `[` of the range, skipping strings and braces. */
  logText(): string {
    this.space();
    const from = this.at;
    let depth = 0;
    let parens = 0;
    for (; this.at < this.text.length; this.at++) {
      const ch = this.text[this.at]!;
      if (ch === '"' || ch === '`') {
        const close = ch === '`' ? this.text.indexOf('`', this.at + 1) : closingQuote(this.text, this.at);
        if (close < 0) throw this.fail('unterminated string');
        this.at = close;
      } else if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if (ch === '(') parens++;
      else if (ch === ')' && parens > 0) parens--;
      else if (ch === '[' && depth === 0) return this.text.slice(from, this.at);
      else if (ch === ')' && depth === 0) break;
    }
    throw this.fail(`unexpected ${this.shown()}, expecting [`);
  }
  /** A pipeline written after the range: the text up to the `)` closing the function. */
  pipelineText(): string {
    const from = this.at;
    let parens = 0;
    for (; this.at < this.text.length; this.at++) {
      const ch = this.text[this.at]!;
      if (ch === '"' || ch === '`') {
        const close = ch === '`' ? this.text.indexOf('`', this.at + 1) : closingQuote(this.text, this.at);
        if (close < 0) throw this.fail('unterminated string');
        this.at = close;
      } else if (ch === '(') parens++;
      else if (ch === ')') {
        if (parens === 0) return this.text.slice(from, this.at);
        parens--;
      }
    }
    throw this.fail('unexpected $end, expecting )');
  }
  duration(what: string): bigint {
    this.space();
    const m = /^[0-9a-z]+/.exec(this.text.slice(this.at));
    const ns = m ? promDuration(m[0]) : undefined;
    if (ns === undefined) throw this.fail(`unexpected ${this.shown()}, expecting ${what}`);
    this.at += m![0].length;
    return ns;
  }
  number(): number | undefined {
    this.space();
    const m = /^(0x[0-9a-fA-F]+|(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|Inf\b|NaN\b)/.exec(this.text.slice(this.at));
    if (!m) return undefined;
    this.at += m[0].length;
    return m[0] === 'Inf' ? Number.POSITIVE_INFINITY : Number(m[0]);
  }
}

function closingQuote(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function notSupported(s: Scanner, what: string): LokiHttpError {
  return new LokiHttpError(400, `parse error at line 1, col ${s.at + 1}: ${what} is not supported by this receiver`);
}

function grouping(s: Scanner): string[] {
  s.expect('(');
  const names: string[] = [];
  if (s.maybe(')')) return names;
  for (;;) {
    names.push(s.ident());
    if (s.maybe(')')) return names;
    s.expect(',');
  }
}

function rangeNode(s: Scanner, name: string): MetricNode {
  s.expect('(');
  let param: number | undefined;
  if (name === 'quantile_over_time') {
    param = s.number();
    if (param === undefined) throw parseError('parameter required for operation quantile_over_time');
    s.expect(',');
  }
  const textStart = s.at;
  const text = s.logText();
  s.expect('[');
  const rangeNs = s.duration('a duration such as [5m]');
  s.expect(']');
  let offsetNs = 0n;
  if (s.peekIdent() === 'offset') {
    s.ident();
    offsetNs = s.duration('a duration after offset');
  }
  let logQuery = text;
  if (s.peek() === '|') {
    // `count_over_time({...}[5m] | json)`: the pipeline may also follow the range.
    logQuery = `${text} ${s.pipelineText()}`;
  }
  if (!s.maybe(')')) throw s.fail(`unexpected ${s.shown()}, expecting )`);
  const out: { by?: string[]; without?: string[] } = {};
  const word = s.peekIdent();
  if (word === 'by' || word === 'without') {
    s.ident();
    out[word] = grouping(s);
    if (!GROUPABLE_RANGE.has(name)) throw parseError(`grouping not allowed for ${name} aggregation`);
  }
  let query: LogQuery;
  try {
    query = parseLogQuery(logQuery, { unwrap: true });
  } catch (error) {
    // Columns of the inner query are shifted to the whole query's.
    if (error instanceof LokiHttpError) {
      const shifted = error.message.replace(/^parse error at line 1, col (\d+):/, (_m, col: string) => {
        return `parse error at line 1, col ${Number(col) + textStart}:`;
      });
      throw new LokiHttpError(error.status, shifted);
    }
    throw error;
  }
  if (query.unwrap && !UNWRAPPED.has(name)) throw parseError(`invalid aggregation ${name} with unwrap`);
  if (!query.unwrap && !LOG_RANGE.has(name)) throw parseError(`invalid aggregation ${name} without unwrap`);
  return { kind: 'range', fn: name as RangeFunction, query, rangeNs, offsetNs, param, ...out };
}

function aggNode(s: Scanner, name: string): MetricNode {
  const out: { by?: string[]; without?: string[] } = {};
  const clause = () => {
    const word = s.peekIdent();
    if (word === 'by' || word === 'without') {
      if (out.by || out.without) throw s.fail(`unexpected ${word}`);
      s.ident();
      out[word] = grouping(s);
    }
  };
  clause();
  s.expect('(');
  let param: number | undefined;
  if (name === 'topk' || name === 'bottomk') {
    const n = s.number();
    if (n === undefined) throw parseError(`parameter required for operation ${name}`);
    if (!Number.isInteger(n)) throw parseError(`invalid parameter ${name}(${n},`);
    if (n <= 0) throw parseError(`invalid parameter (must be greater than 0) ${name}(${n}`);
    param = n;
    s.expect(',');
  }
  const inner = expression(s, 0);
  if (inner.kind === 'literal') throw notSupported(s, `${name} over a number`);
  s.expect(')');
  clause();
  return { kind: 'agg', op: name as Aggregation, ...out, param, inner };
}

function primary(s: Scanner): MetricNode {
  s.space();
  if (s.maybe('(')) {
    const inner = expression(s, 0);
    s.expect(')');
    return inner;
  }
  if (s.peek() === '-' || s.peek() === '+') {
    const sign = s.peek();
    s.at++;
    const inner = primary(s);
    if (inner.kind === 'literal') return { kind: 'literal', value: sign === '-' ? -inner.value : inner.value };
    if (sign === '+') return inner;
    return { kind: 'binop', op: '*', returnBool: false, left: inner, right: { kind: 'literal', value: -1 } };
  }
  const n = s.number();
  if (n !== undefined) return { kind: 'literal', value: n };
  if (s.peek() === '{') throw s.fail('unexpected {, a log query cannot be part of a metric expression');
  const at = s.at;
  const name = s.ident();
  if (RANGE.has(name)) return rangeNode(s, name);
  if (AGG.has(name)) return aggNode(s, name);
  if (name === 'vector') {
    s.expect('(');
    const n = s.number();
    if (n === undefined) throw s.fail(`unexpected ${s.shown()}, expecting NUMBER`);
    s.expect(')');
    return { kind: 'vector', value: n };
  }
  if (name === 'sort' || name === 'sort_desc') {
    s.expect('(');
    const inner = expression(s, 0);
    s.expect(')');
    return { kind: 'sort', descending: name === 'sort_desc', inner };
  }
  if (name === 'label_replace') {
    s.expect('(');
    const inner = expression(s, 0);
    const args: string[] = [];
    for (let i = 0; i < 4; i++) {
      s.expect(',');
      s.space();
      try {
        const { value, end } = readGoString(s.text, s.at);
        args.push(value);
        s.at = end;
      } catch {
        throw s.fail(`unexpected ${s.shown()}, expecting STRING`);
      }
    }
    s.expect(')');
    const [dst, replacement, src, regex] = args as [string, string, string, string];
    let replace: (value: string, replacement: string) => string | undefined;
    try {
      replace = compileLabelReplace(regex);
    } catch (error) {
      if (error instanceof Re2Error) throw parseError(`invalid regex in label_replace: ${error.message}`);
      throw error;
    }
    return { kind: 'label_replace', inner, dst, replacement, src, replace };
  }
  if (OTHER_METRIC.test(name)) throw notSupported(s, `the metric function ${name}`);
  s.at = at;
  throw s.fail('unexpected IDENTIFIER');
}

// Loki's precedence (pkg/logql/syntax/expr.y): or < and, unless < comparisons < + - < * / % < ^ (right-associative).
const LEVELS: BinaryOp[][] = [
  ['or'],
  ['and', 'unless'],
  ['==', '!=', '>=', '<=', '>', '<'],
  ['+', '-'],
  ['*', '/', '%'],
  ['^'],
];

function operatorAt(s: Scanner, level: number): BinaryOp | undefined {
  s.space();
  for (const op of LEVELS[level]!) {
    if (/^[a-z]/.test(op)) {
      if (s.peekIdent() === op) return op;
    } else if (s.text.startsWith(op, s.at)) {
      // `=` alone or `=~` is not a binary operator.
      if (op === '>' || op === '<') {
        if (s.text[s.at + 1] === '=') continue;
      }
      return op;
    }
  }
  return undefined;
}

function expression(s: Scanner, level: number): MetricNode {
  if (level >= LEVELS.length) return primary(s);
  let left = expression(s, level + 1);
  for (;;) {
    const op = operatorAt(s, level);
    if (!op) return left;
    s.at += op.length;
    let returnBool = false;
    let on: string[] | undefined;
    let ignoring: string[] | undefined;
    if (s.peekIdent() === 'bool') {
      s.ident();
      if (level !== 2) throw parseError('bool modifier can only be used on comparison operators');
      returnBool = true;
    }
    const mod = s.peekIdent();
    if (mod === 'on' || mod === 'ignoring') {
      s.ident();
      if (mod === 'on') on = grouping(s);
      else ignoring = grouping(s);
      const group = s.peekIdent();
      if (group === 'group_left' || group === 'group_right') throw notSupported(s, group);
    }
    // `^` is right-associative: its right side is parsed at the same level.
    const right = op === '^' ? expression(s, level) : expression(s, level + 1);
    if (level <= 1 && (left.kind === 'literal' || right.kind === 'literal')) {
      const side = left.kind === 'literal' ? 'left' : 'right';
      const value = left.kind === 'literal' ? left.value : (right as { value: number }).value;
      throw parseError(
        `unexpected literal for ${side} leg of logical/set binary operation (${op}): ${value.toFixed(6)}`,
      );
    }
    left = { kind: 'binop', op, returnBool, on, ignoring, left, right };
  }
}

/** Parses a metric query, or throws Loki's 400. */
export function parseMetricQuery(query: string): MetricNode {
  const s = new Scanner(query);
  const root = expression(s, 0);
  s.space();
  if (s.at < query.length) throw s.fail(`unexpected ${s.shown()}`);
  return root;
}
