import type { LogQuery } from './logql/parser.js';
import type { Store, StreamData } from './store.js';
import { compareTs, nsString, splitNs } from './timestamp.js';
import type { Labels, LokiQueryData, LokiStreamResult } from './types.js';

/** A resolved query range: start inclusive, end exclusive, as in Loki. */
export interface QueryRange {
  start: bigint;
  end: bigint;
  limit: number;
  direction: 'forward' | 'backward';
}

interface Hit {
  stream: StreamData;
  index: number;
}

function selected(query: LogQuery, labels: Readonly<Labels>): boolean {
  for (const m of query.matchers) {
    if (!m.matches(labels[m.name] ?? '')) return false;
  }
  return true;
}

/** Up to `limit` matching lines of one stream, in the query's direction. */
function scan(stream: StreamData, query: LogQuery, range: QueryRange, counters: { lines: number; bytes: number }): Hit[] {
  const [startMs, startSub] = splitNs(range.start);
  const [endMs, endSub] = splitNs(range.end);
  const from = stream.bound(startMs, startSub);
  const to = stream.bound(endMs, endSub);
  const hits: Hit[] = [];
  const forward = range.direction === 'forward';
  const filters = query.filters;
  for (let k = 0; k < to - from && hits.length < range.limit; k++) {
    const i = forward ? from + k : to - 1 - k;
    const line = stream.line(i);
    counters.lines += 1;
    counters.bytes += stream.lineLength(i);
    let keep = true;
    for (const f of filters) {
      if (!f.test(line)) {
        keep = false;
        break;
      }
    }
    if (keep) hits.push({ stream, index: i });
  }
  return hits;
}

/** Runs a log query over one tenant's streams and answers in Loki's `streams` shape. */
export function runQuery(store: Store, tenant: string, query: LogQuery, range: QueryRange): LokiQueryData {
  const started = performance.now();
  const counters = { lines: 0, bytes: 0 };
  let hits: Hit[] = [];
  for (const stream of store.streams(tenant)) {
    if (!selected(query, stream.labels)) continue;
    for (const hit of scan(stream, query, range, counters)) hits.push(hit);
  }
  const sign = range.direction === 'forward' ? 1 : -1;
  hits.sort((a, b) => sign * compareTs(a.stream.ms[a.index]!, a.stream.sub[a.index]!, b.stream.ms[b.index]!, b.stream.sub[b.index]!));
  if (hits.length > range.limit) hits = hits.slice(0, range.limit);
  const byStream = new Map<StreamData, LokiStreamResult>();
  for (const { stream, index } of hits) {
    let result = byStream.get(stream);
    if (!result) byStream.set(stream, (result = { stream: { ...stream.labels }, values: [] }));
    const meta = stream.metadata[index];
    const ts = nsString(stream.ms[index]!, stream.sub[index]!);
    const line = stream.line(index);
    result.values.push(meta ? [ts, line, { ...meta }] : [ts, line]);
  }
  const result = [...byStream.values()].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const execTime = (performance.now() - started) / 1000;
  return {
    resultType: 'streams',
    result,
    stats: {
      summary: {
        totalEntriesReturned: hits.length,
        totalLinesProcessed: counters.lines,
        totalBytesProcessed: counters.bytes,
        execTime,
      },
    },
  };
}

function keyOf(r: LokiStreamResult): string {
  return JSON.stringify(Object.entries(r.stream).sort());
}
