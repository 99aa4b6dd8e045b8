import { describe, expect, it } from 'vitest';
import { nowNs, protobufBody, push } from '../helpers.js';
import { sharedReceiver } from './setup.js';

// Loki 3.7.6: docs/sources/query/metric_queries.md ("Unwrapped range
// aggregations", "offset modifier", conversion functions),
// docs/sources/query/_index.md ("Binary operators", "Comparison operators",
// "Logical/set binary operators", operator order), pkg/logql/log/metrics_extraction.go
// (the unwrapped label leaves the series; empty value, no sample;
// SampleExtractionErr), pkg/logql/syntax/ast.go (RangeAggregationExpr.validate,
// MergeBinOp: division by zero is NaN, comparisons filter unless `bool`),
// pkg/logql/evaluator.go (vector matching, pipeline errors),
// pkg/logqlmodel/error.go (the pipeline error text).

const shared = sharedReceiver({ discoverServiceName: false, discoverLogLevels: false });
const S = 1_000_000_000n;

/** Three requests per route in three seconds, latency and size written as Loki's conversions read them. */
async function seed(): Promise<bigint> {
  const t0 = (nowNs(-60_000) / S) * S;
  const body = protobufBody([
    {
      labels: '{app="web", route="/a"}',
      entries: [
        { ts: t0 + 1n, line: 'took=100ms size=1KB n=1 req=r1' },
        { ts: t0 + S + 1n, line: 'took=300ms size=2KB n=5 req=r2' },
        { ts: t0 + 2n * S + 1n, line: 'took=2s size=1KiB n=3 req=r3' },
      ],
    },
    {
      labels: '{app="web", route="/b"}',
      entries: [
        { ts: t0 + 1n, line: 'took=1s size=10B n=10' },
        { ts: t0 + S + 1n, line: 'took=bad size=x n=oops' },
        { ts: t0 + 2n * S + 1n, line: 'nothing to unwrap here' },
      ],
    },
  ]);
  expect((await push(shared.get().url, body)).status).toBe(204);
  return t0;
}

async function instant(query: string, time: bigint): Promise<any> {
  const qs = new URLSearchParams({ query, time: String(time) });
  const res = await fetch(`${shared.get().url}/loki/api/v1/query?${qs}`);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text).data;
}

/** route -> value of an instant vector. */
async function byRoute(query: string, time: bigint): Promise<Record<string, string>> {
  const data = await instant(query, time);
  expect(data.resultType).toBe('vector');
  return Object.fromEntries(data.result.map((r: any) => [r.metric.route ?? JSON.stringify(r.metric), r.value[1]]));
}

async function refused(query: string, time?: bigint): Promise<string> {
  const qs = new URLSearchParams({ query, ...(time === undefined ? {} : { time: String(time) }) });
  const res = await fetch(`${shared.get().url}/loki/api/v1/query?${qs}`);
  const text = await res.text();
  expect(res.status, text).toBe(400);
  return text;
}

const ok = '| __error__=""';

describe('unwrapped range aggregations (docs: metric queries, "Unwrapped range aggregations")', () => {
  it('sum, avg, min, max, first, last, stddev, stdvar and quantile over duration() seconds', async () => {
    const t0 = await seed();
    const end = t0 + 3n * S;
    // keep: one series for the route (the other parsed labels differ line by line).
    const q = (fn: string) =>
      `${fn}({app="web", route="/a"} | logfmt | keep route, took | unwrap duration(took) ${ok} [10s])`;
    expect(await byRoute(q('sum_over_time'), end)).toEqual({ '/a': '2.4' });
    expect(await byRoute(q('avg_over_time'), end)).toEqual({ '/a': '0.7999999999999999' });
    expect(await byRoute(q('min_over_time'), end)).toEqual({ '/a': '0.1' });
    expect(await byRoute(q('max_over_time'), end)).toEqual({ '/a': '2' });
    expect(await byRoute(q('first_over_time'), end)).toEqual({ '/a': '0.1' });
    expect(await byRoute(q('last_over_time'), end)).toEqual({ '/a': '2' });
    expect(Number((await byRoute(q('stdvar_over_time'), end))['/a'])).toBeCloseTo(2.18 / 3, 10);
    expect(Number((await byRoute(q('stddev_over_time'), end))['/a'])).toBeCloseTo(Math.sqrt(2.18 / 3), 10);
    // Prometheus' quantile: interpolated between ranks (0.1, 0.3, 2 -> rank 1.8 of 0..2).
    expect(
      Number(
        (
          await byRoute(
            `quantile_over_time(0.9, {route="/a"} | logfmt | keep route, took | unwrap duration(took) ${ok} [10s])`,
            end,
          )
        )['/a'],
      ),
    ).toBeCloseTo(0.3 + 0.8 * 1.7, 10);
  });

  it('bytes() reads humanized sizes (KB = 1000, KiB = 1024); a plain unwrap reads floats; rate divides the sum by the range', async () => {
    const t0 = await seed();
    const end = t0 + 3n * S;
    expect(
      await byRoute(`sum_over_time({route="/a"} | logfmt | keep route, size | unwrap bytes(size) ${ok} [10s])`, end),
    ).toEqual({
      '/a': String(1000 + 2000 + 1024),
    });
    expect(await byRoute(`sum_over_time({route="/a"} | logfmt | keep route, n | unwrap n [10s])`, end)).toEqual({
      '/a': '9',
    });
    expect(await byRoute(`rate({route="/a"} | logfmt | keep route, n | unwrap n [10s])`, end)).toEqual({ '/a': '0.9' });
  });

  it('the unwrapped label leaves the series; the others stay, or only those named by by (...)', async () => {
    const t0 = await seed();
    const end = t0 + 3n * S;
    const all = await instant(`max_over_time({route="/a"} | logfmt | unwrap n [10s])`, end);
    // Each line is its own series here (req differs), none carries n.
    expect(all.result.map((r: any) => r.metric)).toEqual(
      ['r1', 'r2', 'r3'].map((req) => ({
        app: 'web',
        route: '/a',
        req,
        size: expect.any(String),
        took: expect.any(String),
      })),
    );
    expect(all.result.every((r: any) => !('n' in r.metric))).toBe(true);
    const grouped = await instant(`max_over_time({route="/a"} | logfmt | unwrap n [10s]) by (route)`, end);
    expect(grouped.result).toEqual([{ metric: { route: '/a' }, value: [Number(end / 1_000_000n) / 1000, '5'] }]);
  });

  it("a value that does not convert fails the query with Loki's pipeline error, unless a filter drops it; a line without the label gives no sample", async () => {
    const t0 = await seed();
    const end = t0 + 3n * S;
    const text = await refused(`sum_over_time({route="/b"} | logfmt | unwrap n [10s])`, end);
    expect(text).toContain("pipeline error: 'SampleExtractionErr' for series:");
    expect(text).toContain(
      'Use a label filter to intentionally skip this error. (e.g | __error__!="SampleExtractionErr")',
    );
    // The third /b line has no n: it is skipped, not counted as 0.
    expect(await byRoute(`sum by (route) (count_over_time({route="/b"} | logfmt | n != "" ${ok} [10s]))`, end)).toEqual(
      {
        '/b': '2',
      },
    );
    expect(await byRoute(`sum by (route) (sum_over_time({route="/b"} | logfmt | unwrap n ${ok} [10s]))`, end)).toEqual({
      '/b': '10',
    });
  });

  it("refuses what Loki's validation refuses", async () => {
    expect(await refused('count_over_time({app="web"} | logfmt | unwrap n [1m])')).toContain(
      'parse error : invalid aggregation count_over_time with unwrap',
    );
    expect(await refused('sum_over_time({app="web"} [1m])')).toContain(
      'parse error : invalid aggregation sum_over_time without unwrap',
    );
    expect(await refused('sum_over_time({app="web"} | logfmt | unwrap n [1m]) by (app)')).toContain(
      'parse error : grouping not allowed for sum_over_time aggregation',
    );
    expect(await refused('{app="web"} | logfmt | unwrap n')).toMatch(/^parse error at line 1, col \d+: syntax error/);
  });
});

describe('the range written after the selector (docs: metric queries, "Log range aggregations")', () => {
  it('takes the pipeline after [range] as it takes it before', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    const before = await byRoute(`sum by (route) (count_over_time({app="web"} | logfmt | took > 200ms [10s]))`, at);
    const after = await byRoute(`sum by (route) (count_over_time({app="web"}[10s] | logfmt | took > 200ms))`, at);
    expect(after).toEqual(before);
    expect(after).toEqual({ '/a': '2', '/b': '1' });
    expect(
      await byRoute(`sum by (route) (sum_over_time({route="/a"}[10s] | logfmt | keep route, n | unwrap n))`, at),
    ).toEqual({ '/a': '9' });
  });
});

describe('offset (docs: metric queries, "offset modifier")', () => {
  it('moves the range back in time', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    // [1s] at t0+3s holds the last line of each stream; offset 2s looks at (t0, t0+1s].
    expect(await byRoute('sum by (route) (count_over_time({app="web"}[1s]))', at)).toEqual({ '/a': '1', '/b': '1' });
    expect(await byRoute('sum by (route) (count_over_time({app="web"}[1s] offset 2s))', at)).toEqual({
      '/a': '1',
      '/b': '1',
    });
    expect(await byRoute('sum(count_over_time({app="web"}[1s] offset 1h))', at)).toEqual({});
  });
});

describe('binary operators (docs: query, "Binary operators")', () => {
  it('between a vector and a number, and two numbers (a scalar answer)', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    expect(await byRoute('sum by (route) (count_over_time({app="web"}[10s])) * 10', at)).toEqual({
      '/a': '30',
      '/b': '30',
    });
    expect(await byRoute('100 / sum by (route) (count_over_time({app="web"}[10s]))', at)).toEqual({
      '/a': '33.333333333333336',
      '/b': '33.333333333333336',
    });
    const scalar = await instant('1 + 2 * 3 ^ 2', at);
    expect(scalar).toMatchObject({ resultType: 'scalar', result: [Number(at / 1_000_000n) / 1000, '19'] });
    expect((await instant('2 ^ 3 ^ 2', at)).result[1]).toBe('512');
  });

  it('vector to vector on identical labels, or on (...) / ignoring (...); division by zero is NaN', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    const errors = 'sum by (route) (count_over_time({app="web"} |= "bad" [10s]))';
    const all = 'sum by (route) (count_over_time({app="web"}[10s]))';
    expect(await byRoute(`${errors} / ${all}`, at)).toEqual({ '/b': '0.3333333333333333' });
    expect(await byRoute(`${all} - ${all}`, at)).toEqual({ '/a': '0', '/b': '0' });
    expect(
      await byRoute(
        `sum by (app, route) (count_over_time({app="web"}[10s])) / ignoring (app) sum by (route) (count_over_time({app="web"}[10s]))`,
        at,
      ),
    ).toEqual({ '/a': '1', '/b': '1' });
    const onApp = await instant(
      'sum by (app, route) (count_over_time({route="/a"}[10s])) + on (app) sum by (app) (count_over_time({route="/b"}[10s]))',
      at,
    );
    expect(onApp.result).toEqual([{ metric: { app: 'web' }, value: [Number(at / 1_000_000n) / 1000, '6'] }]);
    expect(await byRoute(`${all} / (${all} - ${all})`, at)).toEqual({ '/a': 'NaN', '/b': 'NaN' });
  });

  it('comparisons filter (keeping the left value) unless bool asks for 0 or 1', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    const count = 'sum by (route) (count_over_time({app="web"} | logfmt | took != "" [10s]))';
    expect(await byRoute(`${count} > 2`, at)).toEqual({ '/a': '3' });
    expect(await byRoute(`${count} > bool 2`, at)).toEqual({ '/a': '1', '/b': '0' });
    expect(await byRoute(`2 < ${count}`, at)).toEqual({ '/a': '3' });
  });

  it('vector(n) gives one sample without labels: the usual `or vector(0)` for an empty panel', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    expect(await byRoute('sum(count_over_time({app="none"}[10s])) or vector(0)', at)).toEqual({ '{}': '0' });
    expect(await byRoute('sum(count_over_time({app="web"}[10s])) or vector(0)', at)).toEqual({ '{}': '6' });
  });

  it('and, or, unless by label set', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    const a = 'sum by (route) (count_over_time({route="/a"}[10s]))';
    const all = 'sum by (route) (count_over_time({app="web"}[10s]))';
    expect(await byRoute(`${all} and ${a}`, at)).toEqual({ '/a': '3' });
    expect(await byRoute(`${all} unless ${a}`, at)).toEqual({ '/b': '3' });
    expect(await byRoute(`${a} or ${all}`, at)).toEqual({ '/a': '3', '/b': '3' });
    expect(await refused(`${a} and 1`)).toContain(
      'unexpected literal for right leg of logical/set binary operation (and): 1.000000',
    );
  });
});

describe('sort, sort_desc and label_replace (docs: metric queries, "Functions")', () => {
  it('sort orders an instant vector by value; label_replace rewrites a label from a full-value regex match', async () => {
    const t0 = await seed();
    const at = t0 + 3n * S;
    const count = 'sum by (route) (count_over_time({app="web"} | logfmt | took != "" [10s]))';
    const order = async (q: string) => (await instant(q, at)).result.map((r: any) => [r.metric.route, r.value[1]]);
    expect(await order(`sort(${count})`)).toEqual([
      ['/b', '2'],
      ['/a', '3'],
    ]);
    expect(await order(`sort_desc(${count})`)).toEqual([
      ['/a', '3'],
      ['/b', '2'],
    ]);
    const replaced = await instant(`label_replace(${count}, "path", "root-$1", "route", "/(.*)")`, at);
    expect(replaced.result.map((r: any) => r.metric)).toEqual([
      { path: 'root-a', route: '/a' },
      { path: 'root-b', route: '/b' },
    ]);
    // No full match: the sample is left as it is.
    const untouched = await instant(`label_replace(${count}, "path", "$1", "route", "a")`, at);
    expect(untouched.result.map((r: any) => r.metric)).toEqual([{ route: '/a' }, { route: '/b' }]);
    expect(await refused(`label_replace(${count}, "p", "$1", "route", "(")`)).toContain(
      'invalid regex in label_replace: error parsing regexp: missing closing )',
    );
  });
});

describe('stats of a metric query (pkg/logqlmodel/stats)', () => {
  it('count the lines and bytes read, once per query', async () => {
    const t0 = await seed();
    const qs = new URLSearchParams({
      query: 'sum(count_over_time({route="/a"}[10s]))',
      start: String(t0 + S),
      end: String(t0 + 3n * S),
      step: '1s',
    });
    const body = (await (await fetch(`${shared.get().url}/loki/api/v1/query_range?${qs}`)).json()) as any;
    const summary = body.data.stats.summary;
    const bytes = ['took=100ms size=1KB n=1 req=r1', 'took=300ms size=2KB n=5 req=r2', 'took=2s size=1KiB n=3 req=r3']
      .map((l) => l.length)
      .reduce((a, b) => a + b);
    expect(summary).toMatchObject({ totalLinesProcessed: 3, totalBytesProcessed: bytes, totalEntriesReturned: 1 });
    expect(body.data.stats.ingester.store.chunk).toMatchObject({ headChunkLines: 3, postFilterLines: 3 });
    expect(body.data.stats.index.totalStreams).toBe(1);
  });
});
