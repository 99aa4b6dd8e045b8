import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LokiReceiver, type LokiReceiverOptions, startLokiReceiver } from '../src/index.js';
import { get, jsonBody, nowNs, protobufBody, push, values } from './helpers.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let receiver: LokiReceiver;
beforeAll(async () => {
  receiver = await startLokiReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => receiver.reset());

async function withReceiver(options: LokiReceiverOptions, fn: (r: LokiReceiver) => Promise<void>): Promise<void> {
  const r = await startLokiReceiver(options);
  try {
    await fn(r);
  } finally {
    await r.close();
  }
}

const pb = (labels: string, line = 'x', ts = nowNs()) => protobufBody([{ labels, entries: [{ ts, line }] }]);

describe('400: labels', () => {
  it('refuses a label name Loki cannot parse (JSON)', async () => {
    const res = await push(receiver.url, jsonBody([{ stream: { 'foo-bar': 'x' }, values: values([{ ts: nowNs(), line: 'l' }]) }]));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^couldn't parse labels: parse error at line 1, col 5: syntax error/);
  });

  it('refuses selector text that is not a label set (protobuf)', async () => {
    const res = await push(receiver.url, pb('{a=b}'));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^couldn't parse labels: parse error/);
  });

  it('refuses non-equality matchers in pushed labels', async () => {
    expect((await push(receiver.url, pb('{a=~"b"}'))).status).toBe(400);
  });

  it('refuses a stream without labels', async () => {
    const res = await push(receiver.url, jsonBody([{ stream: {}, values: values([{ ts: nowNs(), line: 'l' }]) }]));
    expect(res.status).toBe(400);
    expect(res.text.trim()).toBe('error at least one label pair is required per stream');
  });

  it('refuses more than 15 labels', async () => {
    const stream = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`l${String(i).padStart(2, '0')}`, 'v']));
    const res = await push(receiver.url, jsonBody([{ stream, values: values([{ ts: nowNs(), line: 'l' }]) }]));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^entry for stream '\{l00="v", .*\}' has 16 label names; limit 15/);
    const fifteen = Object.fromEntries(Object.entries(stream).slice(0, 15));
    expect((await push(receiver.url, jsonBody([{ stream: fifteen, values: values([{ ts: nowNs(), line: 'l' }]) }]))).status).toBe(204);
  });

  it('refuses duplicate, reserved and over-long label names and values', async () => {
    expect((await push(receiver.url, pb('{a="1", a="2"}'))).text).toContain("has duplicate label name: 'a'");
    const longName = `n${'a'.repeat(1024)}`;
    expect((await push(receiver.url, pb(`{${longName}="v"}`))).text).toContain(`has label name too long: '${longName}'`);
    const longValue = 'v'.repeat(2049);
    expect((await push(receiver.url, pb(`{a="${longValue}"}`))).text).toContain('has label value too long');
    expect(receiver.entryCount).toBe(0);
  });

  it('measures label values in UTF-8 bytes, as Loki does', async () => {
    const value = 'é'.repeat(1100);
    const res = await push(receiver.url, pb(`{a="${value}"}`));
    expect(res.status).toBe(400);
    expect(res.text.trim()).toBe(`stream '{a="${value}"}' has label value too long: '${value}'`);
    expect((await push(receiver.url, pb(`{a="${'é'.repeat(1024)}"}`))).status).toBe(204);
  });

  it('drops labels with empty values, and refuses a stream left with none', async () => {
    expect((await push(receiver.url, pb('{a="b", c=""}'))).status).toBe(204);
    expect(receiver.entries()[0]!.labels).toEqual({ a: 'b' });
    expect((await push(receiver.url, jsonBody([{ stream: { a: 'b', c: '' }, values: values([{ ts: nowNs(), line: 'j' }]) }]))).status).toBe(204);
    expect(receiver.query('{a="b"}').result).toHaveLength(1);
    for (const body of [pb('{a=""}'), jsonBody([{ stream: { a: '' }, values: values([{ ts: nowNs(), line: 'l' }]) }])]) {
      const res = await push(receiver.url, body);
      expect(res.status).toBe(400);
      expect(res.text.trim()).toBe('error at least one label pair is required per stream');
    }
    expect(receiver.entryCount).toBe(2);
    await withReceiver({ discoverServiceName: true }, async (r) => {
      expect((await push(r.url, pb('{a=""}'))).status).toBe(204);
      expect(r.entries()[0]!.labels).toEqual({ service_name: 'unknown_service' });
    });
  });

  it('does not count service_name toward the label limit (Loki 3)', async () => {
    const fifteen = Array.from({ length: 15 }, (_, i) => `l${String(i).padStart(2, '0')}="v"`).join(', ');
    await withReceiver({ discoverServiceName: true }, async (r) => {
      expect((await push(r.url, pb(`{${fifteen}}`))).status).toBe(204);
      expect(Object.keys(r.entries()[0]!.labels)).toHaveLength(16);
    });
    expect((await push(receiver.url, pb(`{${fifteen}, service_name="svc"}`))).status).toBe(204);
    const res = await push(receiver.url, pb(`{${fifteen}, l15="v", service_name="svc"}`));
    expect(res.status).toBe(400);
    expect(res.text).toContain('has 16 label names; limit 15');
  });

  it('accepts label names starting with __, as Loki does', async () => {
    expect((await push(receiver.url, pb('{__name__="x", __meta="y"}'))).status).toBe(204);
    expect(receiver.entries()[0]!.labels).toEqual({ __name__: 'x', __meta: 'y' });
    expect((await push(receiver.url, pb('{__proto__="p", a="b"}'))).status).toBe(204);
    expect(Object.entries(receiver.query('{__proto__="p"}').result[0]!.stream)).toEqual([['__proto__', 'p'], ['a', 'b']]);
  });

  it('prints the label text as pushed in label errors', async () => {
    const pushed = (labels: string) => Array.from({ length: 16 }, (_, i) => `z${15 - i}="v"`).join(',') + labels;
    const many = `{${pushed('')}}`;
    expect((await push(receiver.url, pb(many))).text.trim()).toBe(`entry for stream '${many}' has 16 label names; limit 15`);
    const longValue = 'v'.repeat(2049);
    const text = `{b="1",a="${longValue}"}`;
    expect((await push(receiver.url, pb(text))).text.trim()).toBe(`stream '${text}' has label value too long: '${longValue}'`);
    const longName = `n${'a'.repeat(1024)}`;
    const nameText = `{ ${longName} = "v" }`;
    expect((await push(receiver.url, pb(nameText))).text.trim()).toBe(`stream '${nameText}' has label name too long: '${longName}'`);
    expect((await push(receiver.url, pb('{b="1",a="1",b="2"}'))).text.trim()).toBe(`stream '{b="1",a="1",b="2"}' has duplicate label name: 'b'`);
    // When Loki 3 adds service_name to a stream, it prints the rewritten (sorted) label set instead.
    await withReceiver({ discoverServiceName: true }, async (r) => {
      expect((await push(r.url, pb(text))).text.trim()).toBe(`stream '{a="${longValue}", b="1", service_name="unknown_service"}' has label value too long: '${longValue}'`);
      const withService = `{b="1",service_name="s",a="${longValue}"}`;
      expect((await push(r.url, pb(withService))).text.trim()).toBe(`stream '${withService}' has label value too long: '${longValue}'`);
    });
  });
});

describe('400: timestamps and lines', () => {
  it('refuses lines older than 7 days, with Loki message', async () => {
    const res = await push(receiver.url, pb('{a="b"}', 'old', nowNs(-8 * DAY)));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^entry for stream '\{a="b"\}' has timestamp too old: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, oldest acceptable timestamp is: \d{4}-.*Z$/m);
    expect((await push(receiver.url, pb('{a="b"}', 'six days', nowNs(-6 * DAY)))).status).toBe(204);
  });

  it('refuses lines more than 10 minutes in the future', async () => {
    const res = await push(receiver.url, pb('{a="b"}', 'future', nowNs(11 * MINUTE)));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^entry for stream '\{a="b"\}' has timestamp too new: /);
    expect((await push(receiver.url, pb('{a="b"}', 'soon', nowNs(5 * MINUTE)))).status).toBe(204);
  });

  it('refuses a numeric timestamp in JSON', async () => {
    const body = JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [[Date.now() * 1e6, 'line']] }] });
    const res = await push(receiver.url, body);
    expect(res.status).toBe(400);
    expect(res.text).toContain(`Value is string, but can't find closing '"' symbol`);
  });

  it('refuses invalid JSON and a wrong body shape', async () => {
    expect((await push(receiver.url, '{"streams": [')).status).toBe(400);
    expect((await push(receiver.url, '{"streams": {}}')).status).toBe(400);
    expect((await push(receiver.url, '{"streams": [{"stream": {"a": "b"}, "values": [["1"]]}]}')).status).toBe(400);
  });

  it('refuses lines longer than 256KB (256000 bytes), counting bytes not characters', async () => {
    const res = await push(receiver.url, pb('{a="b"}', 'é'.repeat(128_001)));
    expect(res.status).toBe(400);
    expect(res.text.trim()).toBe(`Max entry size '256000' bytes exceeded for stream '{a="b"}' while adding an entry with length '256002' bytes`);
    expect((await push(receiver.url, pb('{a="b"}', 'x'.repeat(256_000)))).status).toBe(204);
  });

  it('uses a configured line limit, and truncates when asked', async () => {
    await withReceiver({ maxLineSize: 10 }, async (r) => {
      expect((await push(r.url, pb('{a="b"}', '0123456789A'))).status).toBe(400);
    });
    await withReceiver({ maxLineSize: 10, maxLineSizeTruncate: true }, async (r) => {
      expect((await push(r.url, pb('{a="b"}', '0123456789ABC'))).status).toBe(204);
      expect(r.entries()[0]!.line).toBe('0123456789');
    });
  });

  it('applies structured metadata limits', async () => {
    const entry = (meta: Record<string, string>) => protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'm', meta }] }]);
    const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
    const tooMany = await push(receiver.url, entry(many));
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain("has too many structured metadata labels: '129', limit: '128'");
    const big = await push(receiver.url, entry({ blob: 'x'.repeat(64_000) }));
    expect(big.status).toBe(400);
    expect(big.text).toContain("has structured metadata too large: '64004' bytes, limit: '64000' bytes");
    await withReceiver({ allowStructuredMetadata: false }, async (r) => {
      const res = await push(r.url, entry({ trace_id: 't' }));
      expect(res.status).toBe(400);
      expect(res.text).toContain('includes structured metadata, but this feature is disallowed');
    });
  });
});

describe('partial accept', () => {
  it('stores the good entries of a push and lists the refused ones', async () => {
    const body = protobufBody([
      { labels: '{a="good"}', entries: [{ ts: nowNs(), line: 'kept 1' }, { ts: nowNs(-8 * DAY), line: 'too old' }, { ts: nowNs(), line: 'kept 2' }] },
      { labels: '{a="other", b=""}', entries: [{ ts: nowNs(), line: 'kept 3' }] },
      { labels: '{}', entries: [{ ts: nowNs(), line: 'refused' }] },
    ]);
    const res = await push(receiver.url, body);
    expect(res.status).toBe(400);
    expect(res.text).toContain('has timestamp too old');
    expect(res.text).toContain('error at least one label pair is required per stream');
    expect(receiver.entries().map((e) => e.line).sort()).toEqual(['kept 1', 'kept 2', 'kept 3']);
    expect(receiver.stats()).toMatchObject({ acceptedLines: 3, rejectedLines: 2 });
  });

  it('refuses the whole push when any stream has label text that does not parse (Loki 3)', async () => {
    for (const bad of ['{bad-name="x"}', '{a=b}', 'not a label set']) {
      const body = protobufBody([
        { labels: '{a="good"}', entries: [{ ts: nowNs(), line: 'would be kept' }] },
        { labels: bad, entries: [{ ts: nowNs(), line: 'refused 1' }, { ts: nowNs(), line: 'refused 2' }] },
        { labels: '{a="also good"}', entries: [{ ts: nowNs(), line: 'after the bad one' }] },
      ]);
      const res = await push(receiver.url, body);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/^couldn't parse labels: /);
      expect(res.text).not.toContain('Error parsing labels');
      expect(receiver.entries()).toEqual([]);
      expect(receiver.stats()).toMatchObject({ acceptedLines: 0, rejectedLines: 4 });
      receiver.reset();
    }
    const json = jsonBody([
      { stream: { a: 'good' }, values: values([{ ts: nowNs(), line: 'would be kept' }]) },
      { stream: { 'foo-bar': 'x' }, values: values([{ ts: nowNs(), line: 'refused' }]) },
    ]);
    const res = await push(receiver.url, json);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^couldn't parse labels: parse error at line 1, col 5/);
    expect(receiver.entries()).toEqual([]);
  });

  it('accepts out-of-order lines within 1 h of the newest and lists the ones further behind', async () => {
    const newest = nowNs();
    expect((await push(receiver.url, pb('{a="b"}', 'newest', newest))).status).toBe(204);
    const body = protobufBody([
      {
        labels: '{a="b"}',
        entries: [
          { ts: newest - 30n * 60_000_000_000n, line: 'half an hour behind' },
          { ts: newest - 2n * 3_600_000_000_000n, line: 'two hours behind' },
        ],
      },
    ]);
    const res = await push(receiver.url, body);
    expect(res.status).toBe(400);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toMatch(/^entry with timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC ignored, reason: 'entry too far behind, entry timestamp is: .*Z, oldest acceptable timestamp is: .*Z',$/);
    expect(lines[1]).toBe(`user 'fake', total ignored: 1 out of 2 for stream: {a="b"}`);
    expect(receiver.query('{a="b"}').result[0]!.values.map((v) => v[1])).toEqual(['half an hour behind', 'newest']);
  });

  it('drops an exact duplicate (same time, same line) silently', async () => {
    const t = nowNs();
    await push(receiver.url, pb('{a="b"}', 'same', t));
    expect((await push(receiver.url, pb('{a="b"}', 'same', t))).status).toBe(204);
    expect((await push(receiver.url, pb('{a="b"}', 'different', t))).status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['same', 'different']);
  });
});

describe('401: tenants', () => {
  it('requires X-Scope-OrgID with multi-tenancy on and keeps tenants apart', async () => {
    await withReceiver({ multiTenant: true }, async (r) => {
      const body = jsonBody([{ stream: { app: 'x' }, values: values([{ ts: nowNs(), line: 'for a' }]) }]);
      const res = await push(r.url, body);
      expect(res.status).toBe(401);
      expect(res.text.trim()).toBe('no org id');
      expect((await push(r.url, body, { tenant: 'team-a' })).status).toBe(204);
      const forA = await get(r.url, '/loki/api/v1/query_range', { query: '{app="x"}' }, 'team-a');
      expect(forA.body.data.result).toHaveLength(1);
      const forB = await get(r.url, '/loki/api/v1/query_range', { query: '{app="x"}' }, 'team-b');
      expect(forB.body.data.result).toHaveLength(0);
      expect((await get(r.url, '/loki/api/v1/query_range', { query: '{app="x"}' })).status).toBe(401);
      expect(r.entries('team-a')).toHaveLength(1);
    });
  });

  it('files everything under tenant "fake" when multi-tenancy is off, header or not', async () => {
    await push(receiver.url, pb('{a="b"}'), { tenant: 'ignored' });
    expect(receiver.entries()[0]!.tenant).toBe('fake');
  });
});

describe('413: body size', () => {
  it('refuses a body over the limit, raw or once decompressed', async () => {
    await withReceiver({ maxBodyBytes: 2000 }, async (r) => {
      const big = jsonBody([{ stream: { a: 'b' }, values: values([{ ts: nowNs(), line: 'x'.repeat(3000) }]) }]);
      const raw = await push(r.url, big);
      expect(raw.status).toBe(413);
      expect(raw.text).toMatch(/^request body too large: \d+ bytes, limit: 2000 bytes/);
      const zipped = await push(r.url, big, { encoding: 'gzip' });
      expect(gzipSync(big).length).toBeLessThan(2000);
      expect(zipped.status).toBe(413);
      expect(r.entryCount).toBe(0);
      expect((await push(r.url, pb('{a="b"}'))).status).toBe(204);
    });
  });
});

describe('429: limits', () => {
  it('refuses the whole push over the tenant ingestion rate', async () => {
    await withReceiver({ ingestionRateBytes: 100, ingestionBurstBytes: 150 }, async (r) => {
      expect((await push(r.url, pb('{a="b"}', 'x'.repeat(100)))).status).toBe(204);
      const res = await push(r.url, pb('{a="b"}', 'y'.repeat(100)));
      expect(res.status).toBe(429);
      expect(res.text).toContain("Ingestion rate limit exceeded for user fake (limit: 100 bytes/sec) while attempting to ingest '1' lines totaling '100' bytes");
      expect(r.entryCount).toBe(1);
    });
  });

  it('refuses the lines of a stream over the per-stream rate, keeps the rest, answers 429', async () => {
    await withReceiver({ perStreamRateBytes: 100, perStreamBurstBytes: 150 }, async (r) => {
      const t = nowNs();
      const body = protobufBody([
        { labels: '{a="hot"}', entries: [{ ts: t, line: 'x'.repeat(100) }, { ts: t + 1n, line: 'y'.repeat(100) }] },
        { labels: '{a="cold"}', entries: [{ ts: t, line: 'z'.repeat(100) }] },
      ]);
      const res = await push(r.url, body);
      expect(res.status).toBe(429);
      expect(res.text).toContain("reason: 'Per stream rate limit exceeded (limit: 100 B/sec) while attempting to ingest for stream '{a=\"hot\"}' totaling 100 B");
      expect(res.text).toContain(`user 'fake', total ignored: 1 out of 2 for stream: {a="hot"}`);
      expect(r.entries().map((e) => e.line[0])).toEqual(['x', 'z']);
    });
  });

  it('refuses new streams over the stream limit', async () => {
    await withReceiver({ maxStreamsPerTenant: 1 }, async (r) => {
      expect((await push(r.url, pb('{a="1"}'))).status).toBe(204);
      const res = await push(r.url, pb('{a="2"}'));
      expect(res.status).toBe(429);
      expect(res.text).toContain('Maximum active stream limit exceeded when trying to create stream {a="2"}');
      expect((await push(r.url, pb('{a="1"}', 'same stream'))).status).toBe(204);
    });
  });
});
