import { randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { jsonBody, nowNs, protobufBody, protobufMessage, push, values } from '../helpers.js';
import { rawPush, sharedReceiver, withReceiver } from './setup.js';

// Loki 3.7.6: pkg/loghttp/push/push.go (parsePushRequestBody), pkg/distributor/http.go
// (pushHandler: parse errors are 400, ErrRequestBodyTooLarge is 413),
// pkg/distributor/distributor.go (PushWithResolver: no streams is 422).

const shared = sharedReceiver();
const json = () => jsonBody([{ stream: { app: 'x' }, values: values([{ ts: nowNs(), line: 'hello' }]) }]);

describe('Content-Type (push.go: mime.ParseMediaType, then JSON or protobuf)', () => {
  it('answers 400 "mime: no media type" without a Content-Type (push.go)', async () => {
    const res = await rawPush(
      shared.get().url,
      protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'x' }] }]),
      {},
    );
    expect(res.status).toBe(400);
    expect(res.text).toBe('mime: no media type\n');
    expect(shared.get().entryCount).toBe(0);
  });

  it('answers 400 to a malformed media-type parameter (push.go, Go mime package)', async () => {
    const res = await rawPush(shared.get().url, json(), { 'content-type': 'application/json; charset' });
    expect(res.status).toBe(400);
    expect(res.text).toBe('mime: invalid media parameter\n');
    const noSlash = await rawPush(shared.get().url, json(), { 'content-type': 'application json' });
    expect(noSlash.text).toBe('mime: expected slash after first token\n');
    const extra = await rawPush(shared.get().url, json(), { 'content-type': 'application/json x' });
    expect(extra.text).toBe('mime: unexpected content after media subtype\n');
  });

  it('reads JSON for application/json with parameters, any case (push.go)', async () => {
    const res = await rawPush(shared.get().url, json(), { 'content-type': 'Application/JSON; charset=utf-8' });
    expect(res.status).toBe(204);
  });

  it('reads snappy protobuf for any other media type (push.go: default branch)', async () => {
    const body = protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'pb' }] }]);
    expect((await rawPush(shared.get().url, body, { 'content-type': 'text/plain' })).status).toBe(204);
    expect(shared.get().entries()[0]!.line).toBe('pb');
  });

  it('answers errors as Go http.Error does: text/plain, nosniff, trailing newline (push.go: HTTPError)', async () => {
    const res = await rawPush(shared.get().url, '{', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.text.endsWith('\n')).toBe(true);
  });
});

describe('Content-Encoding (push.go: exact match of "", snappy, gzip, deflate)', () => {
  it('accepts gzip and raw DEFLATE around JSON (push.go)', async () => {
    const body = (line: string) =>
      Buffer.from(jsonBody([{ stream: { app: 'x' }, values: values([{ ts: nowNs(), line }]) }]));
    expect(
      (
        await rawPush(shared.get().url, gzipSync(body('gzip')), {
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await rawPush(shared.get().url, deflateRawSync(body('deflate')), {
          'content-type': 'application/json',
          'content-encoding': 'deflate',
        })
      ).status,
    ).toBe(204);
    expect(shared.get().entryCount).toBe(2);
  });

  it('refuses zlib-wrapped data sent as deflate: Go flate reads raw DEFLATE only (push.go: flate.NewReader)', async () => {
    const res = await rawPush(shared.get().url, deflateSync(Buffer.from(json())), {
      'content-type': 'application/json',
      'content-encoding': 'deflate',
    });
    expect(res.status).toBe(400);
    expect(shared.get().entryCount).toBe(0);
  });

  it('accepts gzip around a snappy protobuf body, and Content-Encoding: snappy (push.go)', async () => {
    const body = protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'zipped' }] }]);
    expect((await push(shared.get().url, body, { encoding: 'gzip' })).status).toBe(204);
    expect(
      (
        await rawPush(shared.get().url, body, {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
        })
      ).status,
    ).toBe(204);
  });

  it.each(['GZIP', 'identity', 'br', 'gzip, deflate'])(
    'answers 400 to Content-Encoding %j, not 415 (push.go: default branch)',
    async (encoding) => {
      const res = await rawPush(shared.get().url, gzipSync(json()), {
        'content-type': 'application/json',
        'content-encoding': encoding,
      });
      expect(res.status).toBe(400);
      expect(res.text).toBe(`Content-Encoding "${encoding}" not supported\n`);
    },
  );

  it('answers 400 "gzip: invalid header" to a gzip body that is not gzip (push.go: gzip.NewReader)', async () => {
    const res = await rawPush(shared.get().url, json(), {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(400);
    expect(res.text).toBe('gzip: invalid header\n');
  });
});

describe('empty and unreadable pushes', () => {
  it('answers 422 to a push without streams (distributor.go: MissingStreamsErrorMsg)', async () => {
    for (const body of ['{"streams":[]}', '{}']) {
      const res = await push(shared.get().url, body);
      expect(res.status).toBe(422);
      expect(res.text).toBe('error at least one valid stream is required for ingestion\n');
    }
    const pb = Buffer.from(snappy.compress(new Uint8Array(0)));
    expect((await push(shared.get().url, pb)).status).toBe(422);
  });

  it('answers 204 to streams that carry no entries (distributor.go: streams without entries are skipped)', async () => {
    expect((await push(shared.get().url, jsonBody([{ stream: { a: 'b' }, values: [] }]))).status).toBe(204);
  });

  it('answers 400 "snappy: corrupt input" to a body that is not snappy (util/http.go: snappy.Decode)', async () => {
    const res = await push(shared.get().url, Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(res.status).toBe(400);
    expect(res.text).toBe('snappy: corrupt input\n');
  });

  it('answers 400 to snappy data that is not a PushRequest (util/http.go: proto Unmarshal)', async () => {
    const message = Buffer.from(protobufMessage([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'hello' }] }]));
    const res = await push(shared.get().url, Buffer.from(snappy.compress(message.subarray(0, message.length - 3))));
    expect(res.status).toBe(400);
    expect(shared.get().entryCount).toBe(0);
  });

  it('refuses a numeric timestamp in JSON (docs: HTTP API, push: "<unix epoch in nanoseconds>" is a string)', async () => {
    const body = JSON.stringify({ streams: [{ stream: { a: 'b' }, values: [[Date.now() * 1e6, 'line']] }] });
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(400);
    expect(res.text).toContain(`Value is string, but can't find closing '"' symbol`);
  });
});

describe('body size (util/http.go: messageSizeLargerErrFmt; distributor.go: max_recv_msg_size 100 MiB, max_decompressed_size 50x)', () => {
  it('answers 413 "request body too large: message size too large than max (N vs M)" to a protobuf body over the limit', async () => {
    await withReceiver({ maxBodyBytes: 2000 }, async (r) => {
      const body = protobufBody([
        { labels: '{a="b"}', entries: [{ ts: nowNs(), line: randomBytes(3000).toString('hex') }] },
      ]);
      expect(body.length).toBeGreaterThan(2000);
      const res = await push(r.url, body);
      expect(res.status).toBe(413);
      expect(res.text).toBe(`request body too large: message size too large than max (${body.length} vs 2000)\n`);
      expect(r.entryCount).toBe(0);
    });
  });

  it('answers 400 "decompressed message size too large than max" when snappy would decompress past the limit', async () => {
    await withReceiver({ maxDecompressedBytes: 1000 }, async (r) => {
      const body = protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'x'.repeat(5000) }] }]);
      const res = await push(r.url, body);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/^decompressed message size too large than max \(\d+ vs 1000\)\n$/);
    });
  });

  it('answers 400 to a JSON body over the limit (push.go: "compressed message size N exceeds limit M")', async () => {
    await withReceiver({ maxBodyBytes: 2000 }, async (r) => {
      const big = jsonBody([{ stream: { a: 'b' }, values: values([{ ts: nowNs(), line: 'x'.repeat(3000) }]) }]);
      const res = await push(r.url, big);
      expect(res.status).toBe(400);
      expect(r.entryCount).toBe(0);
    });
  });
});

describe('tenants (docs: multi-tenancy; auth middleware "no org id")', () => {
  it('requires X-Scope-OrgID with multi-tenancy on, and files everything under "fake" without it', async () => {
    await withReceiver({ multiTenant: true }, async (r) => {
      const res = await push(r.url, json());
      expect(res.status).toBe(401);
      expect(res.text.trim()).toBe('no org id');
      expect((await push(r.url, json(), { tenant: 'team-a' })).status).toBe(204);
      expect(r.entries('team-a')).toHaveLength(1);
    });
    await push(shared.get().url, json(), { tenant: 'ignored' });
    expect(shared.get().entries()[0]!.tenant).toBe('fake');
  });
});
