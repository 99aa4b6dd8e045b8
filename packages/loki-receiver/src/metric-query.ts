import type { MetricNode } from './logql/metric.js';
import { type PipelineEntry, runPipeline } from './logql/pipeline.js';
import type { Store, StreamData } from './store.js';
import { splitNs } from './timestamp.js';
import type { Labels } from './types.js';

/** One series of a metric answer: Prometheus' matrix element. */
export interface MetricSeries {
  metric: Labels;
  values: Array<[number, string]>;
}

type Sample = { metric: Labels; value: number };

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

/** The samples of a range function at time `t` (lines in `(t - range, t]`), one per label set. */
function rangeAt(store: Store, tenant: string, node: Extract<MetricNode, { kind: 'range' }>, t: bigint): Sample[] {
  const series = new Map<string, Sample>();
  const [fromMs, fromSub] = splitNs(t - node.rangeNs);
  const [toMs, toSub] = splitNs(t);
  for (const stream of store.streams(tenant)) {
    if (!node.query.matchers.every((m) => m.matches(stream.labels[m.name] ?? ''))) continue;
    const from = stream.bound(fromMs, fromSub, true);
    const to = stream.bound(toMs, toSub, true);
    for (let i = from; i < to; i++) {
      const meta = stream.metadata[i];
      const entry: PipelineEntry = {
        line: stream.line(i),
        base: meta ? { ...stream.labels, ...metadataLabels(stream, meta) } : stream.labels,
        parsed: {},
        dropped: new Set(),
      };
      if (!runPipeline(node.query.stages, entry)) continue;
      const all = { ...entry.base, ...entry.parsed };
      for (const d of entry.dropped) delete all[d];
      const metric = sorted(all);
      const key = JSON.stringify(metric);
      let s = series.get(key);
      if (!s) series.set(key, (s = { metric, value: 0 }));
      s.value += node.fn === 'count_over_time' || node.fn === 'rate' ? 1 : Buffer.byteLength(entry.line);
    }
  }
  const seconds = Number(node.rangeNs) / 1e9;
  const out = [...series.values()];
  if (node.fn === 'rate' || node.fn === 'bytes_rate') for (const s of out) s.value /= seconds;
  return out;
}

function group(metric: Labels, by?: string[], without?: string[]): Labels {
  if (by) return sorted(Object.fromEntries(by.filter((n) => n in metric).map((n) => [n, metric[n]!])));
  if (without) return sorted(Object.fromEntries(Object.entries(metric).filter(([n]) => !without.includes(n))));
  return {};
}

function evalAt(store: Store, tenant: string, node: MetricNode, t: bigint): Sample[] {
  if (node.kind === 'range') return rangeAt(store, tenant, node, t);
  const inner = evalAt(store, tenant, node.inner, t);
  const groups = new Map<string, { metric: Labels; samples: Sample[] }>();
  for (const s of inner) {
    const metric = group(s.metric, node.by, node.without);
    const key = JSON.stringify(metric);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { metric, samples: [] }));
    g.samples.push(s);
  }
  const out: Sample[] = [];
  for (const g of groups.values()) {
    const values = g.samples.map((s) => s.value);
    switch (node.op) {
      case 'sum':
        out.push({ metric: g.metric, value: values.reduce((a, b) => a + b, 0) });
        break;
      case 'count':
        out.push({ metric: g.metric, value: values.length });
        break;
      case 'avg':
        out.push({ metric: g.metric, value: values.reduce((a, b) => a + b, 0) / values.length });
        break;
      case 'min':
        out.push({ metric: g.metric, value: Math.min(...values) });
        break;
      case 'max':
        out.push({ metric: g.metric, value: Math.max(...values) });
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

/** Go's strconv.FormatFloat(v, 'f', -1, 64) for the values Loki prints. */
function formatValue(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return v.toFixed(0);
  return String(v);
}

/** A range query's matrix: the expression at start, start + step, ... up to end; steps without samples have no point. */
export function runMetricRange(
  store: Store,
  tenant: string,
  node: MetricNode,
  start: bigint,
  end: bigint,
  step: bigint,
): MetricSeries[] {
  const series = new Map<string, MetricSeries>();
  for (let t = start; t <= end; t += step) {
    for (const s of evalAt(store, tenant, node, t)) {
      const key = JSON.stringify(s.metric);
      let out = series.get(key);
      if (!out) series.set(key, (out = { metric: s.metric, values: [] }));
      out.values.push([Number(t / 1_000_000n) / 1000, formatValue(s.value)]);
    }
  }
  return [...series.values()].sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
}

/** An instant query's vector at `t`. */
export function runMetricInstant(
  store: Store,
  tenant: string,
  node: MetricNode,
  t: bigint,
): Array<{ metric: Labels; value: [number, string] }> {
  return evalAt(store, tenant, node, t)
    .map((s) => ({
      metric: s.metric,
      value: [Number(t / 1_000_000n) / 1000, formatValue(s.value)] as [number, string],
    }))
    .sort((a, b) => (JSON.stringify(a.metric) < JSON.stringify(b.metric) ? -1 : 1));
}

/** Loki's default step for a range query: the range over 250 points, at least 1 s (whole seconds). */
export function defaultStep(start: bigint, end: bigint): bigint {
  const seconds = (end - start) / NS_PER_S / 250n;
  return (seconds > 0n ? seconds : 1n) * NS_PER_S;
}
