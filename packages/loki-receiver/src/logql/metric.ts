import { LokiHttpError } from '../errors.js';
import { type LogQuery, parseLogQuery } from './parser.js';

// LogQL metric queries (docs: LogQL metric queries): log range aggregations
// (`count_over_time`, `rate`, `bytes_over_time`, `bytes_rate`) over a log
// query and a range, inside any nesting of `sum`, `count`, `avg`, `min`,
// `max`, `topk` and `bottomk` with `by (...)` or `without (...)`.

export type RangeFunction = 'count_over_time' | 'rate' | 'bytes_over_time' | 'bytes_rate';
export type Aggregation = 'sum' | 'count' | 'avg' | 'min' | 'max' | 'topk' | 'bottomk';

export type MetricNode =
  | { kind: 'range'; fn: RangeFunction; query: LogQuery; rangeNs: bigint }
  | { kind: 'agg'; op: Aggregation; by?: string[]; without?: string[]; param?: number; inner: MetricNode };

const RANGE = new Set(['count_over_time', 'rate', 'bytes_over_time', 'bytes_rate']);
const AGG = new Set(['sum', 'count', 'avg', 'min', 'max', 'topk', 'bottomk']);
const OTHER_METRIC =
  /^(absent_over_time|first_over_time|last_over_time|sum_over_time|avg_over_time|min_over_time|max_over_time|stddev_over_time|stdvar_over_time|quantile_over_time|rate_counter|stddev|stdvar|sort|sort_desc|vector|label_replace|approx_topk)$/;

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

/** True when the query is a metric query (starts with a function or aggregation). */
export function isMetricQuery(query: string): boolean {
  const m = /^\s*([a-z_]+)\s*[(]|^\s*([a-z_]+)\s+(by|without)\b/.exec(query);
  const name = m?.[1] ?? m?.[2];
  return name !== undefined && (RANGE.has(name) || AGG.has(name) || OTHER_METRIC.test(name));
}

class Scanner {
  at = 0;
  constructor(readonly text: string) {}
  space(): void {
    while (this.at < this.text.length && /\s/.test(this.text[this.at]!)) this.at++;
  }
  ident(): string {
    this.space();
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.text.slice(this.at));
    if (!m) throw this.fail('expecting an identifier');
    this.at += m[0].length;
    return m[0];
  }
  peekIdent(): string | undefined {
    this.space();
    return /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(this.text.slice(this.at))?.[0];
  }
  expect(ch: string): void {
    this.space();
    if (this.text[this.at] !== ch) throw this.fail(`expecting ${JSON.stringify(ch)}`);
    this.at++;
  }
  maybe(ch: string): boolean {
    this.space();
    if (this.text[this.at] !== ch) return false;
    this.at++;
    return true;
  }
  fail(why: string): LokiHttpError {
    return new LokiHttpError(400, `parse error at line 1, col ${this.at + 1}: syntax error: ${why}`);
  }
  /** The log query text up to the `[` of the range, skipping strings and braces. */
  logText(): string {
    this.space();
    const from = this.at;
    let depth = 0;
    for (; this.at < this.text.length; this.at++) {
      const ch = this.text[this.at]!;
      if (ch === '"' || ch === '`') {
        const close = ch === '`' ? this.text.indexOf('`', this.at + 1) : closingQuote(this.text, this.at);
        if (close < 0) throw this.fail('unterminated string');
        this.at = close;
      } else if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if (ch === '[' && depth === 0) return this.text.slice(from, this.at);
    }
    throw this.fail('expecting "[" and a range');
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

function node(s: Scanner): MetricNode {
  const name = s.ident();
  if (RANGE.has(name)) {
    s.expect('(');
    const text = s.logText();
    s.expect('[');
    const close = s.text.indexOf(']', s.at);
    const range = close < 0 ? undefined : promDuration(s.text.slice(s.at, close).trim());
    if (range === undefined || range <= 0n) throw s.fail('expecting a duration such as [5m]');
    s.at = close + 1;
    if (/^\s*(offset|by|without)\b/.test(s.text.slice(s.at)) && !/^\s*\)/.test(s.text.slice(s.at)))
      throw notSupported(s, 'offset');
    s.expect(')');
    const query = parseLogQuery(text);
    return { kind: 'range', fn: name as RangeFunction, query, rangeNs: range };
  }
  if (AGG.has(name)) {
    const out: { by?: string[]; without?: string[] } = {};
    const clause = () => {
      const word = s.peekIdent();
      if (word === 'by' || word === 'without') {
        s.ident();
        out[word] = grouping(s);
      }
    };
    clause();
    s.expect('(');
    let param: number | undefined;
    if (name === 'topk' || name === 'bottomk') {
      s.space();
      const m = /^\d+/.exec(s.text.slice(s.at));
      if (!m) throw s.fail(`${name} needs a number first`);
      param = Number(m[0]);
      s.at += m[0].length;
      s.expect(',');
    }
    const inner = node(s);
    s.expect(')');
    clause();
    return { kind: 'agg', op: name as Aggregation, ...out, param, inner };
  }
  if (OTHER_METRIC.test(name)) throw notSupported(s, `the metric function ${name}`);
  throw s.fail(`unexpected ${name}`);
}

/** Parses a metric query, or throws Loki's 400. */
export function parseMetricQuery(query: string): MetricNode {
  const s = new Scanner(query);
  if (/\|\s*unwrap\b/.test(query)) throw notSupported(s, 'unwrap');
  const root = node(s);
  s.space();
  if (s.at < query.length)
    throw /^[-+*/%^<>=!]/.test(query.slice(s.at))
      ? notSupported(s, 'binary operations')
      : s.fail(`unexpected ${JSON.stringify(query.slice(s.at, s.at + 10))}`);
  return root;
}
