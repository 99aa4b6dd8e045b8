import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LokiReceiver, startLokiReceiver } from '../src/index.js';
import { get, jsonBody, nowNs, protobufBody, push, values } from './helpers.js';

let receiver: LokiReceiver;

beforeAll(async () => {
  receiver = await startLokiReceiver();
});
afterAll(async () => {
  await receiver.close();
});
beforeEach(() => receiver.reset());

describe('push: JSON', () => {
  it('stores lines with labels and structured metadata and answers 204', async () => {
    const t = nowNs();
    const body = jsonBody([
      { stream: { service: 'api', level: 'info' }, values: values([{ ts: t, line: 'a' }, { ts: t + 1n, line: 'b', meta: { trace_id: 'abc' } }]) },
    ]);
    const res = await push(receiver.url, body);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const entries = receiver.entries();
    expect(entries.map((e) => e.line)).toEqual(['a', 'b']);
    expect(entries[0]).toMatchObject({ tenant: 'fake', labels: { service: 'api', level: 'info' }, stream: '{level="info", service="api"}', timestamp: t.toString() });
    expect(entries[1]!.structuredMetadata).toEqual({ trace_id: 'abc' });
  });

  it.each(['gzip', 'deflate', 'zlib-deflate'] as const)('accepts Content-Encoding %s', async (encoding) => {
    const res = await push(receiver.url, jsonBody([{ stream: { app: 'x' }, values: values([{ ts: nowNs(), line: `via ${encoding}` }]) }]), { encoding });
    expect(res.status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual([`via ${encoding}`]);
  });

  it('refuses an unknown Content-Encoding with 415', async () => {
    const res = await fetch(`${receiver.url}/loki/api/v1/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'br' },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect(await res.text()).toContain('Content-Encoding "br" not supported');
  });

  it('answers 204 to an empty push', async () => {
    expect((await push(receiver.url, '{"streams":[]}')).status).toBe(204);
  });
});

describe('push: protobuf + snappy', () => {
  it('decodes streams, nanosecond timestamps and structured metadata', async () => {
    const t = nowNs() + 123_456_789n;
    const body = protobufBody([
      { labels: '{service="api", level="error"}', entries: [{ ts: t, line: 'boom', meta: { user_id: 'u1', trace_id: 't1' } }] },
      { labels: '{service="worker"}', entries: [{ ts: t + 5n, line: 'tick' }, { ts: t + 6n, line: 'tock' }] },
    ]);
    const res = await push(receiver.url, body);
    expect(res.status).toBe(204);
    const entries = receiver.entries();
    expect(entries).toHaveLength(3);
    const boom = entries.find((e) => e.line === 'boom')!;
    expect(boom.timestampNs).toBe(t);
    expect(boom.labels).toEqual({ service: 'api', level: 'error' });
    expect(boom.structuredMetadata).toEqual({ user_id: 'u1', trace_id: 't1' });
    expect(entries.filter((e) => e.labels.service === 'worker').map((e) => e.line)).toEqual(['tick', 'tock']);
  });

  it('reads Go-escaped label values in the selector text', async () => {
    const res = await push(receiver.url, protobufBody([{ labels: '{path="C:\\\\tmp \\"x\\"\\n", emoji="\\u00e9t\\u00e9"}', entries: [{ ts: nowNs(), line: 'x' }] }]));
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]!.labels).toEqual({ path: 'C:\\tmp "x"\n', emoji: 'été' });
  });

  it('accepts gzip around the snappy protobuf body, as Loki decodes Content-Encoding first', async () => {
    const res = await push(receiver.url, protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'zipped' }] }]), { encoding: 'gzip' });
    expect(res.status).toBe(204);
    expect(receiver.entries()[0]!.line).toBe('zipped');
  });

  it('treats a request without Content-Type as protobuf, as Loki does', async () => {
    const res = await fetch(`${receiver.url}/loki/api/v1/push`, {
      method: 'POST',
      body: protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'no type' }] }]),
    });
    expect(res.status).toBe(204);
    expect(receiver.entryCount).toBe(1);
  });

  it('answers 400 to a body that is not snappy', async () => {
    const res = await push(receiver.url, Buffer.from('definitely not snappy at all'), { contentType: 'application/x-protobuf' });
    expect(res.status).toBe(400);
  });

  it('answers 400 to snappy data that is not a PushRequest', async () => {
    const snappy = await import('snappyjs');
    const res = await push(receiver.url, Buffer.from(snappy.compress(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]))));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/proto/);
  });

  it('counts requests and bytes per content type', async () => {
    const pb = protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'x' }] }]);
    await push(receiver.url, pb);
    await push(receiver.url, pb);
    const js = jsonBody([{ stream: { a: 'b' }, values: values([{ ts: nowNs(), line: 'y' }]) }]);
    await push(receiver.url, js);
    const stats = receiver.stats();
    expect(stats.push['application/x-protobuf']).toEqual({ requests: 2, bytes: pb.length * 2 });
    expect(stats.push['application/json']).toEqual({ requests: 1, bytes: Buffer.byteLength(js) });
    expect(stats.pushStatus['204']).toBe(3);
    expect(stats.acceptedLines).toBe(2);
  });
});

describe('ready and unknown paths', () => {
  it('answers /ready with 200 and unknown paths with 404', async () => {
    expect((await get(receiver.url, '/ready')).status).toBe(200);
    expect((await get(receiver.url, '/nope')).status).toBe(404);
    expect((await get(receiver.url, '/loki/api/v1/push')).status).toBe(405);
  });
});
