import type { LogQuery } from './logql/parser.js';
import { type PipelineEntry, runPipeline } from './logql/pipeline.js';
import { queryStats } from './query-stats.js';
import type { Store, StreamData } from './store.js';
import { compareTs, joinNs, nsString, splitNs } from './timestamp.js';
import type { Labels, LokiQueryData, LokiStreamResult } from './types.js';

/** A resolved query range: start inclusive, end exclusive, as in Loki. */
export interface QueryRange {
  start: bigint;
  end: bigint;
  limit: number;
  direction: 'forward' | 'backward';
  /** `X-Loki-Response-Encoding-Flags: categorize-labels`. */
  categorizeLabels?: boolean;
}

interface Hit {
  stream: StreamData;
  index: number;
  /** The line after the pipeline (decolorize changes it). */
  line: string;
  /** Parsed labels and dropped names, when the pipeline made any. */
  entry?: PipelineEntry;
}

function selected(query: LogQuery, labels: Readonly<Labels>): boolean {
  for (const m of query.matchers) {
    if (!m.matches(labels[m.name] ?? '')) return false;
  }
  return true;
}

interface Counters {
  lines: number;
  bytes: number;
  metadataBytes: number;
}

function metadataBytes(meta: Labels | undefined): number {
  if (!meta) return 0;
  let n = 0;
  for (const k in meta) n += Buffer.byteLength(k) + Buffer.byteLength(meta[k]!);
  return n;
}

/** Up to `limit` matching lines of one stream, in the query's direction. */
function scan(stream: StreamData, query: LogQuery, range: QueryRange, counters: Counters): Hit[] {
  const [startMs, startSub] = splitNs(range.start);
  const [endMs, endSub] = splitNs(range.end);
  const from = stream.bound(startMs, startSub);
  const to = stream.bound(endMs, endSub);
  const hits: Hit[] = [];
  const forward = range.direction === 'forward';
  const stages = query.stages;
  const simple = stages.every((st) => st.kind === 'line');
  for (let k = 0; k < to - from && hits.length < range.limit; k++) {
    const i = forward ? from + k : to - 1 - k;
    const line = stream.line(i);
    counters.lines += 1;
    counters.bytes += stream.lineLength(i);
    counters.metadataBytes += metadataBytes(stream.metadata[i]);
    if (simple) {
      let keep = true;
      for (const st of stages) {
        if (!(st as { test(line: string): boolean }).test(line)) {
          keep = false;
          break;
        }
      }
      if (keep) hits.push({ stream, index: i, line });
      continue;
    }
    const meta = stream.metadata[i];
    const entry: PipelineEntry = {
      line,
      base: meta ? { ...stream.labels, ...metadataLabels(stream, meta) } : stream.labels,
      parsed: {},
      dropped: new Set(),
      tsNs: joinNs(stream.ms[i]!, stream.sub[i]!),
    };
    if (runPipeline(stages, entry)) hits.push({ stream, index: i, line: entry.line, entry });
  }
  return hits;
}

/**
 * Structured metadata as a query sees it: a name that is also a stream label
 * gets Loki's `_extracted` suffix (pkg/logql/log/labels.go).
 */
function metadataLabels(stream: StreamData, meta: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(meta).sort())
    out[Object.hasOwn(stream.labels, name) ? `${name}_extracted` : name] = meta[name]!;
  return out;
}

function sortedLabels(labels: Labels): Labels {
  const out: Labels = {};
  for (const name of Object.keys(labels).sort()) out[name] = labels[name]!;
  return out;
}

/**
 * Runs a log query over one tenant's streams and answers in Loki's `streams`
 * shape: without categorize-labels, structured metadata joins the labels of
 * the result stream (one result stream per label set) and values are
 * `[ns, line]`; with it, results are the pushed streams and values are
 * `[ns, line, {structuredMetadata?}]` (pkg/util/marshal/query.go).
 */
export function runQuery(store: Store, tenant: string, query: LogQuery, range: QueryRange): LokiQueryData {
  const started = performance.now();
  const counters: Counters = { lines: 0, bytes: 0, metadataBytes: 0 };
  let hits: Hit[] = [];
  let streams = 0;
  for (const stream of store.streams(tenant)) {
    if (!selected(query, stream.labels)) continue;
    streams += 1;
    for (const hit of scan(stream, query, range, counters)) hits.push(hit);
  }
  const sign = range.direction === 'forward' ? 1 : -1;
  hits.sort(
    (a, b) =>
      sign * compareTs(a.stream.ms[a.index]!, a.stream.sub[a.index]!, b.stream.ms[b.index]!, b.stream.sub[b.index]!),
  );
  if (hits.length > range.limit) hits = hits.slice(0, range.limit);
  const byKey = new Map<string, LokiStreamResult>();
  for (const { stream, index, line, entry } of hits) {
    const meta = stream.metadata[index];
    const ts = nsString(stream.ms[index]!, stream.sub[index]!);
    const keep = (labels: Labels) =>
      entry && entry.dropped.size > 0
        ? Object.fromEntries(Object.entries(labels).filter(([n]) => !entry.dropped.has(n)))
        : labels;
    const parsed = entry ? keep(entry.parsed) : {};
    const hasParsed = Object.keys(parsed).length > 0;
    if (range.categorizeLabels) {
      const streamLabels = keep(stream.labels);
      const key = entry && entry.dropped.size > 0 ? JSON.stringify(sortedLabels(streamLabels)) : stream.key;
      let result = byKey.get(key);
      if (!result) byKey.set(key, (result = { stream: { ...streamLabels }, values: [] }));
      const extra: { structuredMetadata?: Labels; parsed?: Labels } = {};
      if (meta) {
        const sm = keep(metadataLabels(stream, meta));
        if (Object.keys(sm).length > 0) extra.structuredMetadata = sm;
      }
      if (hasParsed) extra.parsed = sortedLabels(parsed);
      result.values.push([ts, line, extra]);
      continue;
    }
    const merged = meta || hasParsed || (entry && entry.dropped.size > 0);
    const labels = merged
      ? sortedLabels(keep({ ...stream.labels, ...(meta ? metadataLabels(stream, meta) : {}), ...parsed }))
      : stream.labels;
    const key = merged ? JSON.stringify(labels) : stream.key;
    let result = byKey.get(key);
    if (!result) byKey.set(key, (result = { stream: { ...labels }, values: [] }));
    result.values.push([ts, line]);
  }
  const result = [...byKey.values()].sort(compareStreams);
  const execSeconds = (performance.now() - started) / 1000;
  const data: LokiQueryData = {
    resultType: 'streams',
    result,
    stats: queryStats({ ...counters, returned: hits.length, postFilterLines: hits.length, streams, execSeconds }),
  };
  if (range.categorizeLabels) data.encodingFlags = ['categorize-labels'];
  return data;
}

/** Prometheus' labels.Compare: name by name, then value, a prefix first. */
function compareStreams(a: LokiStreamResult, b: LokiStreamResult): number {
  const x = Object.keys(a.stream).sort();
  const y = Object.keys(b.stream).sort();
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    const va = a.stream[x[i]!]!;
    const vb = b.stream[y[i]!]!;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return x.length - y.length;
}
