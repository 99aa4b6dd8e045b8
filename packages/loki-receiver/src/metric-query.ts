import { LokiHttpError } from './errors.js';
import { formatFloatF } from './go-float.js';
import { formatLabels } from './labels.js';
import type { BinaryOp, MetricNode } from './logql/metric.js';
import { byteCount, durationSeconds, labelValue, type PipelineEntry, runPipeline, setLabel } from './logql/pipeline.js';
import type { ScanCounters } from './query-stats.js';
import type { Store, StreamData } from './store.js';
import { joinNs, splitNs } from './timestamp.js';
import type { Labels } from './types.js';

/** One series of a metric answer: Prometheus' matrix element. */
export interface MetricSeries {
  metric: Labels;
  values: Array<[number, string]>;
}

type Sample = { metric: Labels; value: number };
type Value = { kind: 'vector'; samples: Sample[] } | { kind: 'scalar'; value: number };
type RangeNode = Extract<MetricNode, { kind: 'range' }>;

const NS_PER_S = 1_000_000_000n;

function metadataLabels(stream: StreamData, meta: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(meta))
    out[Object.hasOwn(stream.labels, name) ? `${name}_extracted` : name] = meta[name]!;
  return out;
}

function sorted(labels: Labels): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}

/** The samples one range node reads, series by series, in time order; extracted once per query. */
interface Extracted {
  series: Array<{ metric: Labels; ts: bigint[]; values: number[] }>;
}

/** Go's time.ParseDuration in seconds, humanize.ParseBytes, strconv.ParseFloat: the three unwrap conversions. */
function convert(conversion: 'float' | 'bytes' | 'duration', raw: string): number | undefined {
  if (conversion === 'duration') return durationSeconds(raw);
  if (conversion === 'bytes') return byteCount(raw);
  const t = raw.trim();
  if (t !== raw || t === '') return undefined;
  if (/^[-+]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^nan$/i.test(t)) return Number.NaN;
  if (!/^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^[-+]?0x[0-9a-fA-F]+$/.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

function groupLabels(metric: Labels, by?: string[], without?: string[]): Labels {
  if (by) return sorted(Object.fromEntries(by.filter((n) => n in metric).map((n) => [n, metric[n]!])));
  if (without) return sorted(Object.fromEntries(Object.entries(metric).filter(([n]) => !without.includes(n))));
  return metric;
}

/** Loki's pipeline error: a metric sample that still carries `__error__` fails the query (pkg/logqlmodel/error.go). */
function pipelineError(metric: Labels): LokiHttpError {
  const kind = metric.__error__!;
  return new LokiHttpError(
    400,
    `pipeline error: '${kind}' for series: '${formatLabels(metric)}'.\n` +
      `Use a label filter to intentionally skip this error. (e.g | __error__!="${kind}").\n` +
      'To skip all potential errors you can match empty errors.(e.g __error__="")\n' +
      'The label filter can also be specified after unwrap. (e.g | unwrap latency | __error__="" )\n',
  );
}

function extract(
  store: Store,
  tenant: string,
  node: RangeNode,
  from: bigint,
  to: bigint,
  counters: ScanCounters,
): Extracted {
  const series = new Map<string, { metric: Labels; ts: bigint[]; values: number[] }>();
  const [fromMs, fromSub] = splitNs(from);
  const [toMs, toSub] = splitNs(to);
  const unwrap = node.query.unwrap;
  for (const stream of store.streams(tenant)) {
    if (!node.query.matchers.every((m) => m.matches(stream.labels[m.name] ?? ''))) continue;
    counters.streams += 1;
    const first = stream.bound(fromMs, fromSub, true);
    const last = stream.bound(toMs, toSub, true);
    for (let i = first; i < last; i++) {
      const meta = stream.metadata[i];
      counters.lines += 1;
      counters.bytes += stream.lineLength(i);
      if (meta) for (const k in meta) counters.metadataBytes += Buffer.byteLength(k) + Buffer.byteLength(meta[k]!);
      const entry: PipelineEntry = {
        line: stream.line(i),
        base: meta ? { ...stream.labels, ...metadataLabels(stream, meta) } : stream.labels,
        parsed: {},
        dropped: new Set(),
        tsNs: joinNs(stream.ms[i]!, stream.sub[i]!),
      };
      if (!runPipeline(node.query.stages, entry)) continue;
      let value: number;
      if (unwrap) {
        const raw = labelValue(entry, unwrap.label) ?? '';
        // A line without the label gives no sample (pkg/logql/log/metrics_extraction.go).
        if (raw === '') continue;
        const v = convert(unwrap.conversion, raw);
        if (v === undefined) {
          if (!labelValue(entry, '__error__')) {
            setLabel(entry, '__error__', 'SampleExtractionErr');
            setLabel(entry, '__error_details__', `cannot convert ${JSON.stringify(raw)} (${unwrap.conversion})`);
          }
          value = 0;
        } else value = v;
        if (!runPipeline(unwrap.post, entry)) continue;
      } else value = node.fn === 'bytes_over_time' || node.fn === 'bytes_rate' ? Buffer.byteLength(entry.line) : 1;
      counters.postFilterLines += 1;
      const all: Labels = { ...entry.base, ...entry.parsed };
      for (const d of entry.dropped) if (!Object.hasOwn(entry.parsed, d)) delete all[d];
      if (all.__error__ !== undefined && all.__preserve_error__ !== 'true') throw pipelineError(sorted(all));
      // __error_details__ goes with __error__; a series never shows it once the error is filtered.
      delete all.__error_details__;
      let metric = sorted(all);
      if (unwrap) {
        // The unwrapped label is not part of the series (Loki groups `without` it unless `by` is given).
        metric = node.by
          ? groupLabels(metric, node.by)
          : groupLabels(metric, undefined, [...(node.without ?? []), unwrap.label]);
      } else if (node.by || node.without) metric = groupLabels(metric, node.by, node.without);
      const key = JSON.stringify(metric);
      let s = series.get(key);
      if (!s) series.set(key, (s = { metric, ts: [], values: [] }));
      s.ts.push(entry.tsNs!);
      s.values.push(value);
    }
  }
  for (const s of series.values()) {
    // Several streams can feed one series: order its samples by time.
    const order = s.ts.map((_, i) => i).sort((a, b) => (s.ts[a]! < s.ts[b]! ? -1 : s.ts[a]! > s.ts[b]! ? 1 : 0));
    s.ts = order.map((i) => s.ts[i]!);
    s.values = order.map((i) => s.values[i]!);
  }
  return { series: [...series.values()] };
}

/** First index with ts > t. */
function upper(ts: bigint[], t: bigint): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Prometheus' quantile: linear interpolation between the closest ranks. */
function quantile(q: number, values: number[]): number {
  if (values.length === 0) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const v = [...values].sort((a, b) => a - b);
  const rank = q * (v.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(v.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return v[lower]! * (1 - weight) + v[upperIndex]! * weight;
}

function variance(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
}

function rangeValue(node: RangeNode, values: number[]): number {
  const seconds = Number(node.rangeNs) / 1e9;
  const sum = () => values.reduce((a, b) => a + b, 0);
  switch (node.fn) {
    case 'count_over_time':
      return values.length;
    case 'bytes_over_time':
    case 'sum_over_time':
      return sum();
    case 'rate':
      return (node.query.unwrap ? sum() : values.length) / seconds;
    case 'bytes_rate':
      return sum() / seconds;
    case 'avg_over_time':
      return sum() / values.length;
    case 'min_over_time':
      return values.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a));
    case 'max_over_time':
      return values.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a));
    case 'first_over_time':
      return values[0]!;
    case 'last_over_time':
      return values.at(-1)!;
    case 'stdvar_over_time':
      return variance(values);
    case 'stddev_over_time':
      return Math.sqrt(variance(values));
    case 'quantile_over_time':
      return quantile(node.param!, values);
    case 'absent_over_time':
      return 1;
  }
}

/** Labels absent_over_time gives its sample: the selector's equality matchers (pkg/logql/evaluator.go). */
function absentLabels(node: RangeNode): Labels {
  const out: Labels = {};
  const seen = new Set<string>();
  for (const m of node.query.matchers) {
    if (m.op !== '=' || seen.has(m.name)) {
      seen.add(m.name);
      delete out[m.name];
      continue;
    }
    seen.add(m.name);
    out[m.name] = m.value;
  }
  return sorted(out);
}

class Evaluator {
  readonly #extracted = new Map<RangeNode, Extracted>();
  readonly counters: ScanCounters = {
    lines: 0,
    bytes: 0,
    metadataBytes: 0,
    returned: 0,
    postFilterLines: 0,
    streams: 0,
    execSeconds: 0,
  };

  constructor(
    readonly store: Store,
    readonly tenant: string,
    root: MetricNode,
    start: bigint,
    end: bigint,
  ) {
    // Each range node reads its lines once, for the whole query's span.
    const visit = (node: MetricNode) => {
      if (node.kind === 'range') {
        const from = start - node.offsetNs - node.rangeNs;
        const to = end - node.offsetNs;
        this.#extracted.set(node, extract(store, tenant, node, from, to, this.counters));
      } else if (node.kind === 'agg' || node.kind === 'sort' || node.kind === 'label_replace') visit(node.inner);
      else if (node.kind === 'binop') {
        visit(node.left);
        visit(node.right);
      }
    };
    visit(root);
  }

  at(node: MetricNode, t: bigint): Value {
    switch (node.kind) {
      case 'literal':
        return { kind: 'scalar', value: node.value };
      case 'vector':
        return { kind: 'vector', samples: [{ metric: {}, value: node.value }] };
      case 'sort': {
        const inner = this.at(node.inner, t);
        if (inner.kind !== 'vector') return inner;
        const sign = node.descending ? -1 : 1;
        return { kind: 'vector', samples: [...inner.samples].sort((a, b) => sign * (a.value - b.value)) };
      }
      case 'label_replace': {
        const inner = this.at(node.inner, t);
        if (inner.kind !== 'vector') return inner;
        const samples = inner.samples.map((s) => {
          const out = node.replace(s.metric[node.src] ?? '', node.replacement);
          if (out === undefined) return s;
          const metric = { ...s.metric };
          if (out === '') delete metric[node.dst];
          else metric[node.dst] = out;
          return { metric: sorted(metric), value: s.value };
        });
        return { kind: 'vector', samples };
      }
      case 'range':
        return { kind: 'vector', samples: this.#rangeAt(node, t) };
      case 'agg':
        return { kind: 'vector', samples: this.#aggregate(node, t) };
      case 'binop':
        return this.#binop(node, this.at(node.left, t), this.at(node.right, t));
    }
  }

  #rangeAt(node: RangeNode, t: bigint): Sample[] {
    const to = t - node.offsetNs;
    const from = to - node.rangeNs;
    const out: Sample[] = [];
    for (const s of this.#extracted.get(node)!.series) {
      const a = upper(s.ts, from);
      const b = upper(s.ts, to);
      if (b <= a) continue;
      out.push({ metric: s.metric, value: rangeValue(node, s.values.slice(a, b)) });
    }
    if (node.fn === 'absent_over_time') return out.length > 0 ? [] : [{ metric: absentLabels(node), value: 1 }];
    return out;
  }

  #aggregate(node: Extract<MetricNode, { kind: 'agg' }>, t: bigint): Sample[] {
    const inner = this.at(node.inner, t);
    if (inner.kind !== 'vector') return [];
    const groups = new Map<string, { metric: Labels; samples: Sample[] }>();
    for (const s of inner.samples) {
      const metric = node.by || node.without ? groupLabels(s.metric, node.by, node.without) : {};
      const key = JSON.stringify(metric);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { metric, samples: [] }));
      g.samples.push(s);
    }
    const out: Sample[] = [];
    for (const g of groups.values()) {
      const values = g.samples.map((s) => s.value);
      const sum = values.reduce((a, b) => a + b, 0);
      switch (node.op) {
        case 'sum':
          out.push({ metric: g.metric, value: sum });
          break;
        case 'count':
          out.push({ metric: g.metric, value: values.length });
          break;
        case 'avg':
          out.push({ metric: g.metric, value: sum / values.length });
          break;
        case 'min':
          out.push({ metric: g.metric, value: Math.min(...values) });
          break;
        case 'max':
          out.push({ metric: g.metric, value: Math.max(...values) });
          break;
        case 'stdvar':
          out.push({ metric: g.metric, value: variance(values) });
          break;
        case 'stddev':
          out.push({ metric: g.metric, value: Math.sqrt(variance(values)) });
          break;
        case 'topk':
        case 'bottomk': {
          const sign = node.op === 'topk' ? -1 : 1;
          // topk keeps the samples' own labels, k per group.
          out.push(...[...g.samples].sort((a, b) => sign * (a.value - b.value)).slice(0, node.param));
          break;
        }
      }
    }
    return out;
  }

  #binop(node: Extract<MetricNode, { kind: 'binop' }>, left: Value, right: Value): Value {
    const { op } = node;
    const comparison = op === '==' || op === '!=' || op === '>' || op === '>=' || op === '<' || op === '<=';
    if (left.kind === 'scalar' && right.kind === 'scalar') {
      const v = apply(op, left.value, right.value);
      return { kind: 'scalar', value: comparison ? (v ? 1 : 0) : v };
    }
    if (left.kind === 'scalar' || right.kind === 'scalar') {
      const vector = (left.kind === 'vector' ? left : right) as { samples: Sample[] };
      const scalar = (left.kind === 'scalar' ? left : right) as { value: number };
      const out: Sample[] = [];
      for (const s of vector.samples) {
        const [a, b] = left.kind === 'vector' ? [s.value, scalar.value] : [scalar.value, s.value];
        const v = apply(op, a, b);
        if (!comparison) out.push({ metric: s.metric, value: v });
        else if (node.returnBool) out.push({ metric: s.metric, value: v ? 1 : 0 });
        else if (v) out.push(s);
      }
      return { kind: 'vector', samples: out };
    }
    const sig = (m: Labels) => {
      if (node.on) return JSON.stringify(node.on.map((n) => m[n] ?? '').concat(node.on));
      if (node.ignoring) return JSON.stringify(groupLabels(m, undefined, node.ignoring));
      return JSON.stringify(m);
    };
    const l = left.samples;
    const r = right.samples;
    if (op === 'and' || op === 'unless') {
      const rs = new Set(r.map((s) => sig(s.metric)));
      if (op === 'and')
        return { kind: 'vector', samples: r.length === 0 ? [] : l.filter((s) => rs.has(sig(s.metric))) };
      return { kind: 'vector', samples: r.length === 0 ? l : l.filter((s) => !rs.has(sig(s.metric))) };
    }
    if (op === 'or') {
      const ls = new Set(l.map((s) => sig(s.metric)));
      return { kind: 'vector', samples: [...l, ...r.filter((s) => !ls.has(sig(s.metric)))] };
    }
    const rightBySig = new Map<string, Sample>();
    for (const s of r) {
      const k = sig(s.metric);
      if (rightBySig.has(k))
        throw new LokiHttpError(
          400,
          'found duplicate series on the right hand-side;many-to-many matching not allowed: matching labels must be unique on one side',
        );
      rightBySig.set(k, s);
    }
    const matched = new Set<string>();
    const out: Sample[] = [];
    for (const s of l) {
      const k = sig(s.metric);
      const other = rightBySig.get(k);
      if (!other) continue;
      if (matched.has(k))
        throw new LokiHttpError(
          400,
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      matched.add(k);
      let metric = s.metric;
      if (node.on) metric = groupLabels(metric, node.on);
      else if (node.ignoring) metric = groupLabels(metric, undefined, node.ignoring);
      const v = apply(op, s.value, other.value);
      if (!comparison) out.push({ metric, value: v });
      else if (node.returnBool) out.push({ metric, value: v ? 1 : 0 });
      else if (v) out.push({ metric, value: s.value });
    }
    return { kind: 'vector', samples: out };
  }
}

/** Loki's MergeBinOp arithmetic (division and modulo by zero give NaN); comparisons give 1 or 0. */
function apply(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return b === 0 ? Number.NaN : a / b;
    case '%':
      return b === 0 ? Number.NaN : a % b;
    case '^':
      return a ** b;
    case '==':
      return a === b ? 1 : 0;
    case '!=':
      return a !== b ? 1 : 0;
    case '>':
      return a > b ? 1 : 0;
    case '>=':
      return a >= b ? 1 : 0;
    case '<':
      return a < b ? 1 : 0;
    case '<=':
      return a <= b ? 1 : 0;
    default:
      return Number.NaN;
  }
}

/** Sample values as Prometheus prints them. */
export const formatValue = formatFloatF;

function stampOf(t: bigint): number {
  return Number(t / 1_000_000n) / 1000;
}

/** A metric answer and the counters of what it read. */
export interface MetricAnswer<T> {
  result: T;
  counters: ScanCounters;
  resultType: 'matrix' | 'vector' | 'scalar';
}

/** Loki's bound on a range query's points (pkg/loghttp/query.go): (end - start) / step at most 11,000. */
export function checkResolution(start: bigint, end: bigint, step: bigint): void {
  if ((end - start) / step > 11_000n)
    throw new LokiHttpError(
      400,
      'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter',
    );
}

/** A range query's matrix: the expression at start, start + step, ... up to end; steps without samples have no point. */
export function evaluateRange(
  store: Store,
  tenant: string,
  node: MetricNode,
  start: bigint,
  end: bigint,
  step: bigint,
): MetricAnswer<MetricSeries[]> {
  checkResolution(start, end, step);
  const started = performance.now();
  const ev = new Evaluator(store, tenant, node, start, end);
  const series = new Map<string, MetricSeries>();
  for (let t = start; t <= end; t += step) {
    const value = ev.at(node, t);
    const samples = value.kind === 'scalar' ? [{ metric: {}, value: value.value }] : value.samples;
    for (const s of samples) {
      const key = JSON.stringify(s.metric);
      let out = series.get(key);
      if (!out) series.set(key, (out = { metric: s.metric, values: [] }));
      out.values.push([stampOf(t), formatValue(s.value)]);
    }
  }
  const result = [...series.values()].sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
  ev.counters.returned = result.length;
  ev.counters.execSeconds = (performance.now() - started) / 1000;
  return { result, counters: ev.counters, resultType: 'matrix' };
}

/** An instant query's vector (or scalar, for a number expression) at `t`. */
export function evaluateInstant(
  store: Store,
  tenant: string,
  node: MetricNode,
  t: bigint,
): MetricAnswer<Array<{ metric: Labels; value: [number, string] }> | [number, string]> {
  const started = performance.now();
  const ev = new Evaluator(store, tenant, node, t, t);
  const value = ev.at(node, t);
  ev.counters.execSeconds = (performance.now() - started) / 1000;
  if (value.kind === 'scalar') {
    ev.counters.returned = 1;
    return { result: [stampOf(t), formatValue(value.value)], counters: ev.counters, resultType: 'scalar' };
  }
  const result = value.samples.map((s) => ({
    metric: s.metric,
    value: [stampOf(t), formatValue(s.value)] as [number, string],
  }));
  // sort() and sort_desc() order an instant vector by value; otherwise by labels.
  if (node.kind !== 'sort') result.sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
  ev.counters.returned = result.length;
  return { result, counters: ev.counters, resultType: 'vector' };
}

/** A range query's matrix (see evaluateRange). */
export function runMetricRange(
  store: Store,
  tenant: string,
  node: MetricNode,
  start: bigint,
  end: bigint,
  step: bigint,
): MetricSeries[] {
  return evaluateRange(store, tenant, node, start, end, step).result;
}

/** Loki's default step for a range query: the range over 250 points, at least 1 s (whole seconds). */
export function defaultStep(start: bigint, end: bigint): bigint {
  const seconds = (end - start) / NS_PER_S / 250n;
  return (seconds > 0n ? seconds : 1n) * NS_PER_S;
}
