import { describe, expect, it } from 'vitest';
import { nowNs, protobufBody, push } from '../helpers.js';
import { sharedReceiver } from './setup.js';

// Loki 3.7.6: pkg/util/marshal/query.go (encodeStream: categorize-labels adds
// a third value element), pkg/querier/queryrange/codec_test.go (expected
// answers with and without X-Loki-Response-Encoding-Flags, the stats object),
// pkg/logql/log/labels.go (a metadata name equal to a stream label gets `_extracted`).

const shared = sharedReceiver({ discoverServiceName: false, discoverLogLevels: false });

async function seed(): Promise<bigint> {
  const t = nowNs(-1000);
  const body = protobufBody([
    {
      labels: '{test="test"}',
      entries: [
        { ts: t, line: 'super line' },
        { ts: t + 1n, line: 'super line2', meta: { x: 'a', y: 'b' } },
        { ts: t + 2n, line: 'clash', meta: { test: 'meta' } },
      ],
    },
  ]);
  expect((await push(shared.get().url, body)).status).toBe(204);
  return t;
}

async function queryRange(query: string, flags?: string): Promise<any> {
  const qs = new URLSearchParams({ query, direction: 'forward' });
  const res = await fetch(`${shared.get().url}/loki/api/v1/query_range?${qs}`, {
    headers: flags ? { 'x-loki-response-encoding-flags': flags } : {},
  });
  expect(res.status).toBe(200);
  return { body: await res.json(), headers: res.headers };
}

describe('query_range answers', () => {
  it('merges structured metadata into the result stream labels, values [ns, line] (codec_test.go: streamsStringWithStructuredMetdata)', async () => {
    const t = await seed();
    const { body } = await queryRange('{test="test"}');
    expect(body.data.result).toEqual([
      { stream: { test: 'test' }, values: [[`${t}`, 'super line']] },
      { stream: { test: 'test', test_extracted: 'meta' }, values: [[`${t + 2n}`, 'clash']] },
      { stream: { test: 'test', x: 'a', y: 'b' }, values: [[`${t + 1n}`, 'super line2']] },
    ]);
    expect(body.data.encodingFlags).toBeUndefined();
  });

  it('with categorize-labels keeps the pushed streams and adds {structuredMetadata} as a third element (query.go: encodeStream)', async () => {
    const t = await seed();
    const { body, headers } = await queryRange('{test="test"}', 'categorize-labels');
    expect(body.data.encodingFlags).toEqual(['categorize-labels']);
    expect(headers.get('x-loki-response-encoding-flags')).toBe('categorize-labels');
    expect(body.data.result).toEqual([
      {
        stream: { test: 'test' },
        values: [
          [`${t}`, 'super line', {}],
          [`${t + 1n}`, 'super line2', { structuredMetadata: { x: 'a', y: 'b' } }],
          [`${t + 2n}`, 'clash', { structuredMetadata: { test_extracted: 'meta' } }],
        ],
      },
    ]);
    expect(shared.get().query('{test="test"}', { categorizeLabels: true }).encodingFlags).toEqual([
      'categorize-labels',
    ]);
  });

  it('sends the full stats object (codec_test.go: statsResultString)', async () => {
    await seed();
    const { body } = await queryRange('{test="test"} |= "super"');
    const stats = body.data.stats;
    expect(Object.keys(stats).sort()).toEqual(['cache', 'index', 'ingester', 'querier', 'summary']);
    expect(Object.keys(stats.summary).sort()).toEqual(
      [
        'bytesProcessedPerSecond',
        'execTime',
        'linesProcessedPerSecond',
        'queueTime',
        'shards',
        'splits',
        'subqueries',
        'totalBytesProcessed',
        'totalEntriesReturned',
        'totalLinesProcessed',
        'totalPostFilterLines',
        'totalStructuredMetadataBytesProcessed',
      ].sort(),
    );
    expect(stats.summary).toMatchObject({ totalEntriesReturned: 2, totalLinesProcessed: 3, totalPostFilterLines: 2 });
    expect(Object.keys(stats.cache).sort()).toEqual([
      'chunk',
      'index',
      'instantMetricResult',
      'labelResult',
      'result',
      'seriesResult',
      'statsResult',
      'volumeResult',
    ]);
    expect(stats.ingester.store.chunk).toMatchObject({ headChunkLines: 3, postFilterLines: 2 });
    expect(Object.keys(stats.querier.store).sort()).toContain('dataobj');
  });
});

describe('LogQL the receiver reads, and what it says it does not (docs: LogQL log queries)', () => {
  it('skips # comments', async () => {
    await seed();
    expect(
      shared
        .get()
        .query('{test="test"} # all of it\n |= "line2"')
        .result.flatMap((s) => s.values.map((v) => v[1])),
    ).toEqual(['super line2']);
  });

  it.each([
    '{test="test"} | logfmt --strict',
    '{test="test"} | logfmt | distinct a',
    '{test="test"} | line_format "{{ date \\"2006\\" __timestamp__ }}"',
    '{test="test"} | line_format "{{ range .x }}{{ end }}"',
    'rate_counter({test="test"} | logfmt | unwrap x [5m])',
    'sum(count_over_time({test="test"}[5m])) / on (a) group_left count(count_over_time({test="test"}[5m]))',
  ])('answers 400 "not supported" to the valid query %s, never a plain syntax error', async (query) => {
    const res = await fetch(`${shared.get().url}/loki/api/v1/query_range?${new URLSearchParams({ query })}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not supported by this receiver');
  });
});

describe('parsers, label filters, drop, keep, decolorize (docs: LogQL log queries; pkg/logql/log)', () => {
  async function seedLines(): Promise<bigint> {
    const t = nowNs(-1000);
    const body = protobufBody([
      {
        labels: '{app="web"}',
        entries: [
          { ts: t, line: 'level=info status=200 took=15ms size=2KB msg="all good"' },
          { ts: t + 1n, line: 'level=error status=500 took=1.5s size=10B msg="boom"' },
          { ts: t + 2n, line: '{"level":"warn","status":404,"req":{"path":"/x"}}' },
          { ts: t + 3n, line: '\u001b[31mred\u001b[0m text' },
        ],
      },
    ]);
    expect((await push(shared.get().url, body)).status).toBe(204);
    return t;
  }
  const lines = (q: string) =>
    shared
      .get()
      .query(q)
      .result.flatMap((s) => s.values.map((v) => v[1]));

  it('logfmt and json add parsed labels, shown in the result stream (and as "parsed" when categorized)', async () => {
    await seedLines();
    const res = shared.get().query('{app="web"} | logfmt | status="500"');
    expect(res.result).toHaveLength(1);
    expect(res.result[0]!.stream).toMatchObject({
      app: 'web',
      level: 'error',
      status: '500',
      took: '1.5s',
      msg: 'boom',
    });
    const json = shared.get().query('{app="web"} | json | req_path="/x"', { categorizeLabels: true });
    expect(json.result[0]!.values[0]![2]).toEqual({ parsed: { level: 'warn', req_path: '/x', status: '404' } });
  });

  it('compares numbers, durations and bytes, with and / or / ","', async () => {
    await seedLines();
    expect(lines('{app="web"} | logfmt | status >= 400')).toEqual([expect.stringContaining('boom')]);
    expect(lines('{app="web"} | logfmt | took > 100ms')).toEqual([expect.stringContaining('boom')]);
    expect(lines('{app="web"} | logfmt | size > 1KB')).toEqual([expect.stringContaining('all good')]);
    expect(lines('{app="web"} | logfmt | level="info" or status == 500')).toHaveLength(2);
    expect(lines('{app="web"} | logfmt | level=~"e.*", status < 600')).toEqual([expect.stringContaining('boom')]);
    expect(lines('{app="web"} | json | __error__="JSONParserErr"')).toHaveLength(3);
    // Parentheses group filters (docs: "Label filter expression"): and binds tighter than or without them.
    expect(lines('{app="web"} | logfmt | (status >= 500 or level="info") and took < 1s')).toEqual([
      expect.stringContaining('all good'),
    ]);
    expect(lines('{app="web"} | logfmt | status >= 500 or level="info" and took < 1s')).toHaveLength(2);
  });

  it('drop and keep change the labels; decolorize removes ANSI colours from the line', async () => {
    await seedLines();
    const dropped = shared.get().query('{app="web"} | logfmt | status="200" | drop took, size');
    expect(Object.keys(dropped.result[0]!.stream).sort()).toEqual(['app', 'level', 'msg', 'status']);
    const kept = shared.get().query('{app="web"} | logfmt | status="200" | keep app, status');
    expect(kept.result[0]!.stream).toEqual({ app: 'web', status: '200' });
    expect(lines('{app="web"} |= "red" | decolorize')).toEqual(['red text']);
  });

  it('ip() line and label filters: an address, a CIDR prefix or a range (docs: "IP address matching"; ip.go)', async () => {
    const t = nowNs(-1000);
    const body = protobufBody([
      {
        labels: '{app="proxy"}',
        entries: [
          { ts: t, line: 'client=192.168.4.5 path=/a' },
          { ts: t + 1n, line: 'client=10.0.0.7 path=/b via 2001:db8::1' },
          { ts: t + 2n, line: 'client=300.1.1.1 path=/c version=1.2.3' },
        ],
      },
    ]);
    expect((await push(shared.get().url, body)).status).toBe(204);
    expect(lines('{app="proxy"} |= ip("192.168.0.0/16")')).toEqual([expect.stringContaining('/a')]);
    expect(lines('{app="proxy"} |= ip("10.0.0.1-10.0.0.9")')).toEqual([expect.stringContaining('/b')]);
    expect(lines('{app="proxy"} |= ip("2001:db8::/32")')).toEqual([expect.stringContaining('/b')]);
    expect(lines('{app="proxy"} != ip("10.0.0.7")')).toHaveLength(2);
    expect(lines('{app="proxy"} | logfmt | client = ip("10.0.0.0/8")')).toEqual([expect.stringContaining('/b')]);
    expect(lines('{app="proxy"} | logfmt | client != ip("10.0.0.0/8")')).toHaveLength(2);
    const bad = await fetch(
      `${shared.get().url}/loki/api/v1/query_range?${new URLSearchParams({ query: '{app="proxy"} |= ip("nope")' })}`,
    );
    expect([bad.status, (await bad.text()).trim()]).toEqual([400, 'parse error : ip: invalid pattern: "nope"']);
  });

  it('drop and keep with matchers act on the labels whose value matches; keep never removes __error__ (drop_labels.go, keep_labels.go)', async () => {
    await seedLines();
    const dropped = shared.get().query('{app="web"} | logfmt | status=~"[25]00" | drop level="error", took');
    const byStatus = dropped.result.map((r) => [r.stream.level, r.stream.took, r.stream.status]);
    expect(byStatus.sort((a, b) => (a[2]! < b[2]! ? -1 : 1))).toEqual([
      ['info', undefined, '200'],
      [undefined, undefined, '500'],
    ]);
    const kept = shared.get().query('{app="web"} | logfmt | status=~"[25]00" | keep app, level="info"');
    expect(kept.result.map((r) => r.stream)).toEqual([{ app: 'web' }, { app: 'web', level: 'info' }]);
    const errors = shared.get().query('{app="web"} | json | keep app | __error__!=""');
    expect(errors.result.map((r) => r.stream)).toEqual([{ __error__: 'JSONParserErr', app: 'web' }]);
  });
});
