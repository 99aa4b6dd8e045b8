import { describe, expect, it } from 'vitest';
import { nowNs, protobufBody, push } from '../helpers.js';
import { sharedReceiver } from './setup.js';

// Loki 3.7.6: docs/sources/query/metric_queries.md (log range aggregations,
// built-in aggregation operators), docs/sources/reference/loki-http-api.md
// (query_range answers a metric query with a matrix, query with a vector;
// default step = range / 250, at least 1 s).

const shared = sharedReceiver({ discoverServiceName: false });
const S = 1_000_000_000n;

async function seed(): Promise<bigint> {
  // Six lines over three seconds, two levels, in two streams.
  const t0 = (nowNs(-60_000) / S) * S;
  const body = protobufBody([
    {
      labels: '{app="web", level="info"}',
      entries: [
        { ts: t0 + 1n, line: 'a' },
        { ts: t0 + S + 1n, line: 'bb' },
        { ts: t0 + 2n * S + 1n, line: 'ccc' },
      ],
    },
    {
      labels: '{app="web", level="error"}',
      entries: [
        { ts: t0 + 1n, line: 'status=500' },
        { ts: t0 + 2n * S + 1n, line: 'status=502' },
      ],
    },
    { labels: '{app="job", level="info"}', entries: [{ ts: t0 + 2n * S + 2n, line: 'tick' }] },
  ]);
  expect((await push(shared.get().url, body)).status).toBe(204);
  return t0;
}

async function range(query: string, start: bigint, end: bigint, step = '1s'): Promise<any> {
  const qs = new URLSearchParams({ query, start: String(start), end: String(end), step });
  const res = await fetch(`${shared.get().url}/loki/api/v1/query_range?${qs}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

describe('metric queries', () => {
  it("answers Grafana's logs-volume query, sum by (level) (count_over_time(...)), with a matrix", async () => {
    const t0 = await seed();
    const body = await range('sum by (level) (count_over_time({app=~".+"}[1s]))', t0 + S, t0 + 3n * S);
    expect(body.data.resultType).toBe('matrix');
    const byLevel = Object.fromEntries(body.data.result.map((r: any) => [r.metric.level, r.values]));
    const sec = (n: bigint) => Number((t0 + n * S) / 1_000_000n) / 1000;
    // Each point counts the lines in (t - 1s, t]; a step without lines has no point.
    expect(byLevel.info).toEqual([
      [sec(1n), '1'],
      [sec(2n), '1'],
      [sec(3n), '2'],
    ]);
    expect(byLevel.error).toEqual([
      [sec(1n), '1'],
      [sec(3n), '1'],
    ]);
    expect(body.data.stats.summary).toBeDefined();
  });

  it('rate, bytes_over_time and bytes_rate', async () => {
    const t0 = await seed();
    const end = t0 + 3n * S;
    const rate = await range('sum(rate({app="web"}[2s]))', end, end);
    expect(rate.data.result[0].values[0][1]).toBe('1.5');
    const bytes = await range('sum by (app) (bytes_over_time({app="web"}[10s]))', end, end);
    expect(bytes.data.result[0]).toEqual({
      metric: { app: 'web' },
      values: [[Number(end / 1_000_000n) / 1000, String(1 + 2 + 3 + 10 + 10)]],
    });
    const br = await range('sum(bytes_rate({app="job"}[2s]))', end, end);
    expect(br.data.result[0].values[0][1]).toBe('2');
  });

  it('count, avg, min, max, topk and without', async () => {
    const t0 = await seed();
    const end = t0 + 3n * S;
    const value = async (q: string) =>
      (await range(q, end, end)).data.result.map((r: any) => [r.metric, r.values[0][1]]);
    expect(await value('count(count_over_time({app=~".+"}[10s]))')).toEqual([[{}, '3']]);
    expect(await value('max(count_over_time({app=~".+"}[10s]))')).toEqual([[{}, '3']]);
    expect(await value('min(count_over_time({app=~".+"}[10s]))')).toEqual([[{}, '1']]);
    expect(await value('avg(count_over_time({app=~".+"}[10s]))')).toEqual([[{}, '2']]);
    // Series carry structured metadata too (here Loki 3's detected_level), as in Loki.
    expect(await value('topk(1, count_over_time({app=~".+"}[10s]))')).toEqual([
      [{ app: 'web', detected_level: 'info', level: 'info' }, '3'],
    ]);
    expect(await value('sum without (level, detected_level) (count_over_time({app=~".+"}[10s]))')).toEqual([
      [{ app: 'job' }, '1'],
      [{ app: 'web' }, '5'],
    ]);
  });

  it('runs the log pipeline inside the range, parsed labels included', async () => {
    const t0 = await seed();
    const end = t0 + 3n * S;
    const body = await range('sum by (status) (count_over_time({app="web"} | logfmt | status >= 500 [10s]))', end, end);
    expect(body.data.result.map((r: any) => [r.metric.status, r.values[0][1]])).toEqual([
      ['500', '1'],
      ['502', '1'],
    ]);
    expect(
      shared.get().queryMetric('count_over_time({app="job"}[10s])', { start: end, end, step: 1000 })[0]!.values[0]![1],
    ).toBe('1');
  });

  it('refuses more than 11,000 points per series, log and metric queries alike (pkg/loghttp/query.go)', async () => {
    const t0 = await seed();
    for (const query of ['{app="web"}', 'count_over_time({app="web"}[1s])']) {
      const qs = new URLSearchParams({ query, start: String(t0), end: String(t0 + 11_001n * S), step: '1s' });
      const res = await fetch(`${shared.get().url}/loki/api/v1/query_range?${qs}`);
      expect([res.status, (await res.text()).trim()]).toEqual([
        400,
        'exceeded maximum resolution of 11,000 points per time series. Try increasing the value of the step parameter',
      ]);
    }
    expect(() =>
      shared.get().queryMetric('count_over_time({app="web"}[1s])', { start: t0, end: t0 + 11_001n * S, step: 1000 }),
    ).toThrow(/exceeded maximum resolution of 11,000 points/);
  });

  it('answers an instant metric query with a vector', async () => {
    const t0 = await seed();
    const qs = new URLSearchParams({ query: 'sum(count_over_time({app="web"}[10s]))', time: String(t0 + 3n * S) });
    const body = (await (await fetch(`${shared.get().url}/loki/api/v1/query?${qs}`)).json()) as any;
    expect(body.data.resultType).toBe('vector');
    expect(body.data.result[0].value[1]).toBe('5');
  });

  it.each([
    'rate_counter({app="web"} | logfmt | unwrap n [1m])',
    'approx_topk(2, count_over_time({app="web"}[1m]))',
    'sum(count_over_time({app="web"}[1m])) * on (app) group_left count(count_over_time({app="web"}[1m]))',
  ])('answers 400 "not supported" to the valid %s', async (query) => {
    const res = await fetch(`${shared.get().url}/loki/api/v1/query_range?${new URLSearchParams({ query })}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not supported by this receiver');
  });
});
