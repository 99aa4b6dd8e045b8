import { describe, expect, it } from 'vitest';
import { get, nowNs, protobufBody, push } from '../helpers.js';
import { sharedReceiver } from './setup.js';

// Loki 3.7.6: docs/sources/reference/loki-http-api.md (each endpoint's
// parameters and answer), pkg/loki/loki.go (status/buildinfo),
// pkg/logproto (IndexStatsResponse fields), pkg/validation/validate.go
// (the `reason` values of loki_discarded_samples_total).

const shared = sharedReceiver({ discoverLogLevels: false });

async function seed(): Promise<bigint> {
  const t = nowNs(-2000);
  const body = protobufBody([
    {
      labels: '{app="web", env="prod"}',
      entries: [
        { ts: t, line: 'level=info status=200 took=15ms size=2KB' },
        { ts: t + 1n, line: 'level=info status=404 took=1.5s size=10B' },
      ],
    },
    {
      labels: '{app="web", env="dev"}',
      entries: [{ ts: t + 2n, line: '{"level":"warn","req":{"id":7}}', meta: { trace_id: 'abc' } }],
    },
    { labels: '{app="job", env="prod"}', entries: [{ ts: t + 3n, line: 'plain text' }] },
  ]);
  expect((await push(shared.get().url, body)).status).toBe(204);
  return t;
}

describe('status and probes', () => {
  it('answers /ready with 200 "ready", unknown paths with 404, GET on push with 405', async () => {
    const ready = await get(shared.get().url, '/ready');
    expect([ready.status, ready.body]).toEqual([200, 'ready\n']);
    expect((await get(shared.get().url, '/nope')).status).toBe(404);
    expect((await get(shared.get().url, '/loki/api/v1/push')).status).toBe(405);
  });

  it('reports the emulated version at /loki/api/v1/status/buildinfo (loki.go: versionHandler; docs: Show build information)', async () => {
    const res = await get(shared.get().url, '/loki/api/v1/status/buildinfo');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([
      'branch',
      'buildDate',
      'buildUser',
      'goVersion',
      'revision',
      'version',
    ]);
    expect(res.body.version).toBe('3.7.6');
  });

  it("exports Loki's counters at /metrics, discarded lines by Loki's reason", async () => {
    await seed();
    await push(
      shared.get().url,
      protobufBody([{ labels: '{app="web"}', entries: [{ ts: nowNs(-8 * 86_400_000), line: 'old' }] }]),
    );
    const res = await fetch(`${shared.get().url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^loki_distributor_lines_received_total\{tenant="fake"\} 4$/m);
    expect(text).toMatch(/^loki_discarded_samples_total\{reason="greater_than_max_sample_age",tenant="fake"\} 1$/m);
    expect(text).toMatch(/^loki_request_total\{route="loki_api_v1_push",status_code="204"\} 1$/m);
  });

  it('counts push requests and bytes per content type in stats()', async () => {
    const body = protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'x' }] }]);
    await push(shared.get().url, body);
    const stats = shared.get().stats();
    expect(stats.push['application/x-protobuf']).toEqual({ requests: 1, bytes: body.length });
    expect(stats.pushStatus['204']).toBe(1);
  });
});

describe('index and detection endpoints (docs: Query log statistics, Query log volume, Detected fields, Patterns detection)', () => {
  it('index/stats counts streams, chunks, entries and bytes of matching streams', async () => {
    const t = await seed();
    const res = await get(shared.get().url, '/loki/api/v1/index/stats', {
      query: '{app="web"}',
      start: String(t - 1n),
      end: String(t + 10n),
    });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['bytes', 'chunks', 'entries', 'streams']);
    expect(res.body).toMatchObject({ streams: 2, entries: 3 });
    expect(res.body.bytes).toBeGreaterThan(0);
  });

  it('index/volume aggregates bytes by the labels the selector names, as a vector; volume_range as a matrix', async () => {
    const t = await seed();
    const params = { query: '{app=~".+"}', start: String(t - 1n), end: String(t + 10n) };
    const vector = await get(shared.get().url, '/loki/api/v1/index/volume', params);
    expect(vector.body.status).toBe('success');
    expect(vector.body.data.resultType).toBe('vector');
    expect(
      vector.body.data.result.map((r: any) => r.metric).sort((a: any, b: any) => (a.app < b.app ? -1 : 1)),
    ).toEqual([{ app: 'job' }, { app: 'web' }]);
    const byEnv = await get(shared.get().url, '/loki/api/v1/index/volume', { ...params, targetLabels: 'env' });
    expect(byEnv.body.data.result.map((r: any) => r.metric.env).sort()).toEqual(['dev', 'prod']);
    const matrix = await get(shared.get().url, '/loki/api/v1/index/volume_range', { ...params, step: '1s' });
    expect(matrix.body.data.resultType).toBe('matrix');
    expect(matrix.body.data.result[0].values[0]).toHaveLength(2);
  });

  it('detected_labels lists stream labels with cardinality', async () => {
    await seed();
    const res = await get(shared.get().url, '/loki/api/v1/detected_labels', { query: '{app=~".+"}' });
    expect(res.status).toBe(200);
    expect(res.body.detectedLabels).toEqual(
      expect.arrayContaining([
        { label: 'app', cardinality: 2 },
        { label: 'env', cardinality: 2 },
      ]),
    );
  });

  it('detected_fields reads logfmt and JSON lines and structured metadata, with types', async () => {
    await seed();
    const res = await get(shared.get().url, '/loki/api/v1/detected_fields', { query: '{app="web"}' });
    expect(res.status).toBe(200);
    const byName = new Map(res.body.fields.map((f: any) => [f.label, f]));
    expect(byName.get('status')).toMatchObject({ type: 'int', cardinality: 2, parsers: ['logfmt'] });
    expect(byName.get('took')).toMatchObject({ type: 'duration' });
    expect(byName.get('size')).toMatchObject({ type: 'bytes' });
    expect(byName.get('req_id')).toMatchObject({ type: 'int', parsers: ['json'], jsonPath: ['req', 'id'] });
    expect(byName.get('trace_id')).toMatchObject({ parsers: null });
    expect(res.body.limit).toBe(1000);
  });

  it("patterns answers Loki's shape with no patterns (no pattern ingester), and checks the selector", async () => {
    expect((await get(shared.get().url, '/loki/api/v1/patterns', { query: '{app="web"}' })).body).toEqual({
      status: 'success',
      data: [],
    });
    expect((await get(shared.get().url, '/loki/api/v1/patterns', { query: '{app=' })).status).toBe(400);
  });
});
