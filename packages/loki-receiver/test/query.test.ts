import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LokiReceiver, startLokiReceiver } from '../src/index.js';
import { get, jsonBody, nowNs, push, values } from './helpers.js';

let receiver: LokiReceiver;
const base = nowNs(-10 * 60_000);
const at = (i: number) => base + BigInt(i) * 1_000_000_000n;

beforeAll(async () => {
  // These cases check selectors and filters; Loki 3's service_name and detected_level are checked in test/conformance.
  receiver = await startLokiReceiver({ discoverServiceName: false, discoverLogLevels: false });
  const res = await push(
    receiver.url,
    jsonBody([
      {
        stream: { service: 'api', level: 'info' },
        values: values([
          { ts: at(0), line: 'GET /users user=user123 200' },
          { ts: at(2), line: 'GET /health 200' },
        ]),
      },
      {
        stream: { service: 'api', level: 'error' },
        values: values([
          { ts: at(1), line: 'RATE_LIMIT exceeded user=user9', meta: { trace_id: 't1' } },
          { ts: at(3), line: 'CONCURRENT limit' },
        ]),
      },
      { stream: { service: 'worker', level: 'info' }, values: values([{ ts: at(4), line: 'job Done' }]) },
      { stream: { service: 'api-gateway', level: 'warn' }, values: values([{ ts: at(5), line: 'slow upstream' }]) },
    ]),
  );
  expect(res.status).toBe(204);
});
afterAll(async () => {
  await receiver.close();
});

async function lines(query: string, params: Record<string, string> = {}): Promise<string[]> {
  const res = await get(receiver.url, '/loki/api/v1/query_range', { query, ...params });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  // Merge streams back into one timeline in the query's direction, as Grafana shows them.
  const all: string[][] = res.body.data.result.flatMap((s: { values: string[][] }) => s.values);
  const sign = params.direction === 'forward' ? 1 : -1;
  all.sort((a, b) => (BigInt(a[0]!) < BigInt(b[0]!) ? -sign : sign));
  return all.map((v) => v[1]!);
}

describe('query_range answer shape', () => {
  it('answers like Loki: status, resultType streams, stream labels, [ns, line] values, stats', async () => {
    const res = await get(receiver.url, '/loki/api/v1/query_range', { query: '{service="api", level="error"}' });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('success');
    expect(res.body.data.resultType).toBe('streams');
    expect(res.body.data.stats).toBeTypeOf('object');
    // Loki 3 (pkg/util/marshal/query.go): structured metadata joins the result stream's labels; values stay [ns, line].
    expect(res.body.data.result).toEqual([
      { stream: { level: 'error', service: 'api' }, values: [[at(3).toString(), 'CONCURRENT limit']] },
      {
        stream: { level: 'error', service: 'api', trace_id: 't1' },
        values: [[at(1).toString(), 'RATE_LIMIT exceeded user=user9']],
      },
    ]);
  });
});

describe('stream selectors', () => {
  it('=, !=, =~ and !~, with regexes anchored to the whole value', async () => {
    expect(new Set(await lines('{service="api"}'))).toEqual(
      new Set(['GET /users user=user123 200', 'GET /health 200', 'RATE_LIMIT exceeded user=user9', 'CONCURRENT limit']),
    );
    expect(await lines('{service=~"api"}')).toHaveLength(4);
    expect(await lines('{service=~"api.*"}')).toHaveLength(5);
    expect(await lines('{service=~"pi"}')).toHaveLength(0);
    expect(await lines('{service=~"api|worker", level!="error"}')).toHaveLength(3);
    expect(await lines('{service!~"api.*", level="info"}')).toEqual(['job Done']);
    expect(await lines('{level=~"(?i)INFO"}')).toHaveLength(3);
  });

  it('treats a missing label as the empty value', async () => {
    expect(await lines('{service="worker", missing=""}')).toEqual(['job Done']);
    expect(await lines('{service="worker", missing!=""}')).toEqual([]);
  });
});

describe('line filters', () => {
  it('runs the queries the seed document uses', async () => {
    expect(await lines('{service="api"} |~ "user=user123"')).toEqual(['GET /users user=user123 200']);
    expect(new Set(await lines('{service="api"} |~ "RATE_LIMIT|CONCURRENT"'))).toEqual(
      new Set(['RATE_LIMIT exceeded user=user9', 'CONCURRENT limit']),
    );
  });

  it('|=, !=, |~, !~ chained, (?i), or, and backquoted strings', async () => {
    expect(await lines('{service="api"} |= "GET" != "health"')).toEqual(['GET /users user=user123 200']);
    expect(await lines('{service="api"} |~ `user=\\w+9$`')).toEqual(['RATE_LIMIT exceeded user=user9']);
    expect(await lines('{service="api"} !~ "^GET"', { direction: 'forward' })).toEqual([
      'RATE_LIMIT exceeded user=user9',
      'CONCURRENT limit',
    ]);
    expect(await lines('{service="worker"} |= "done"')).toEqual([]);
    expect(await lines('{service="worker"} |~ "(?i)done"')).toEqual(['job Done']);
    expect(await lines('{service="api"} |= "health" or "CONCURRENT"', { direction: 'forward' })).toEqual([
      'GET /health 200',
      'CONCURRENT limit',
    ]);
  });
});

describe('range, limit and direction', () => {
  it('backward by default (newest first), forward on request, limit across streams', async () => {
    expect(await lines('{service=~".+"}', { limit: '2' })).toEqual(['slow upstream', 'job Done']);
    const forward = await get(receiver.url, '/loki/api/v1/query_range', {
      query: '{service="api"}',
      limit: '2',
      direction: 'forward',
    });
    const got = forward.body.data.result.flatMap((s: { values: string[][] }) => s.values.map((v) => v[0]));
    expect(got.sort()).toEqual([at(0).toString(), at(1).toString()]);
  });

  it('start is inclusive and end exclusive, in ns or RFC3339', async () => {
    expect(
      await lines('{service=~".+"}', { start: at(1).toString(), end: at(3).toString(), direction: 'forward' }),
    ).toEqual(['RATE_LIMIT exceeded user=user9', 'GET /health 200']);
    const iso = (ns: bigint) => new Date(Number(ns / 1_000_000n)).toISOString();
    expect(await lines('{service=~".+"}', { start: iso(at(4)), end: iso(at(5) + 1_000_000n) })).toEqual([
      'slow upstream',
      'job Done',
    ]);
  });

  it('accepts float seconds, since, and a form-encoded POST', async () => {
    const secs = (ns: bigint) => `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`;
    expect(await lines('{service="worker"}', { start: secs(at(4)), end: secs(at(4) + 1n) })).toEqual(['job Done']);
    expect(await lines('{service="worker"}', { since: '1m', end: (at(4) + 1n).toString() })).toEqual(['job Done']);
    const res = await fetch(`${receiver.url}/loki/api/v1/query_range`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: '{service="worker"}', limit: '5' }).toString(),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { result: unknown[] } }).data.result).toHaveLength(1);
  });

  it('defaults to the last hour', async () => {
    expect(await lines('{service=~".+"}', { end: (base + 2n * 3_600_000_000_000n).toString() })).toEqual([]);
  });

  it('refuses bad parameters with 400', async () => {
    const bad = async (params: Record<string, string>) =>
      (await get(receiver.url, '/loki/api/v1/query_range', { query: '{service="api"}', ...params })).status;
    expect(await bad({ limit: '0' })).toBe(400);
    expect(await bad({ limit: 'lots' })).toBe(400);
    expect(await bad({ limit: '5001' })).toBe(400);
    expect(await bad({ direction: 'sideways' })).toBe(400);
    expect(await bad({ start: 'yesterday' })).toBe(400);
    expect(await bad({ start: at(5).toString(), end: at(1).toString() })).toBe(400);
  });
});

describe('parse errors', () => {
  const parseErr = async (query: string) => {
    const res = await get(receiver.url, '/loki/api/v1/query_range', { query });
    expect(res.status).toBe(400);
    return String(res.body);
  };

  it('answers 400 with Loki\'s "parse error" text', async () => {
    expect(await parseErr('{service}')).toMatch(/^parse error at line 1, col 9: syntax error: unexpected }/);
    expect(await parseErr('service="api"')).toMatch(/^parse error at line 1, col 1: syntax error/);
    expect(await parseErr('{service="api"')).toMatch(/^parse error/);
    expect(await parseErr('{service="api} ')).toMatch(/^parse error/);
    expect(await parseErr('{service="api"} |= 42')).toMatch(/^parse error/);
    expect(await parseErr('')).toMatch(/^parse error/);
  });

  it('requires one matcher that cannot match the empty value', async () => {
    expect(await parseErr('{service=~".*"}')).toContain(
      'queries require at least one regexp or equality matcher that does not have an empty-compatible value',
    );
    expect(await parseErr('{service!="api"}')).toContain('empty-compatible');
  });

  it('refuses regex constructs RE2 lacks', async () => {
    expect(await parseErr('{service="api"} |~ "(a)\\\\1"')).toContain('invalid escape sequence');
    expect(await parseErr('{service="api"} |~ "foo(?=bar)"')).toContain('invalid or unsupported Perl syntax');
    // Go 1.22+ reads (?< as a named group, so a lookbehind is an invalid name there.
    expect(await parseErr('{service=~"(?<!x)api"}')).toContain('invalid named capture');
  });

  it('says plainly what it does not support', async () => {
    expect(await parseErr('{service="api"} | logfmt --strict')).toContain('not supported by this receiver');
    expect(await parseErr('rate_counter({service="api"} | logfmt | unwrap took [5m])')).toContain(
      'not supported by this receiver',
    );
  });

  it('answers log queries on the instant endpoint as Loki 3 does', async () => {
    const res = await get(receiver.url, '/loki/api/v1/query', { query: '{service="api"}' });
    expect(res.status).toBe(400);
    expect(String(res.body)).toContain(
      'log queries are not supported as an instant query type, please change your query to a range query type',
    );
    expect((await get(receiver.url, '/loki/api/v1/query', { query: '{service=' })).body).toMatch(/^parse error/);
  });
});

describe('labels, label values, series', () => {
  it('lists label names and values', async () => {
    const names = await get(receiver.url, '/loki/api/v1/labels');
    expect(names.body).toEqual({ status: 'success', data: ['level', 'service'] });
    const levels = await get(receiver.url, '/loki/api/v1/label/level/values');
    expect(levels.body.data).toEqual(['error', 'info', 'warn']);
    const narrowed = await get(receiver.url, '/loki/api/v1/label/level/values', { query: '{service="worker"}' });
    expect(narrowed.body.data).toEqual(['info']);
    expect((await get(receiver.url, '/loki/api/v1/label/nope/values')).body.data).toEqual([]);
  });

  it('only counts streams with lines in the range', async () => {
    const later = base + 24n * 3_600_000_000_000n;
    const res = await get(receiver.url, '/loki/api/v1/labels', {
      start: later.toString(),
      end: (later + 1n).toString(),
    });
    expect(res.body.data).toEqual([]);
  });

  it('lists series for match[] selectors', async () => {
    const res = await get(receiver.url, '/loki/api/v1/series', { 'match[]': '{service="worker"}' });
    expect(res.body.data).toEqual([{ service: 'worker', level: 'info' }]);
    expect((await get(receiver.url, '/loki/api/v1/series')).status).toBe(400);
  });

  it('hides the test endpoints when testEndpoints is false', async () => {
    const r = await startLokiReceiver({ testEndpoints: false });
    try {
      expect((await fetch(`${r.url}/__test__/stats`)).status).toBe(404);
    } finally {
      await r.close();
    }
  });
});

describe('programmatic query()', () => {
  it('covers every stored line by default, oldest first', () => {
    const data = receiver.query('{service=~".+"}');
    expect(data.result.flatMap((s) => s.values)).toHaveLength(6);
    expect(receiver.query('{service=~".+"}', { limit: 1, direction: 'backward' }).result[0]!.values[0]![1]).toBe(
      'slow upstream',
    );
  });

  it('throws the same parse error the HTTP endpoint answers', () => {
    expect(() => receiver.query('{service}')).toThrow(/parse error at line 1/);
  });
});
