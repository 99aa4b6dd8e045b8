import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/index.js';
import { jsonBody, nowNs, protobufBody, push, values } from '../helpers.js';
import { sharedReceiver, withReceiver } from './setup.js';

// Loki 3.7.6: pkg/validation/limits.go (defaults; config sizes are binary,
// flagext.ByteSize via c2h5oh/datasize: KB = 1024), pkg/distributor/validator.go
// (ValidateEntry), pkg/distributor/distributor.go (tenant rate limit),
// pkg/ingester/stream.go (per-stream rate, out-of-order window),
// pkg/ingester/instance.go (stream limit).

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const shared = sharedReceiver({ discoverServiceName: false, discoverLogLevels: false });
const pb = (labels: string, line = 'x', ts = nowNs()) => protobufBody([{ labels, entries: [{ ts, line }] }]);

describe("defaults in Loki's binary units (limits.go)", () => {
  it('matches Loki 3.7.6', () => {
    expect(DEFAULTS).toMatchObject({
      maxLineSize: 262_144,
      maxStructuredMetadataSize: 65_536,
      maxStructuredMetadataEntries: 128,
      ingestionRateBytes: 4_194_304,
      ingestionBurstBytes: 6_291_456,
      perStreamRateBytes: 3_145_728,
      perStreamBurstBytes: 15_728_640,
      maxBodyBytes: 104_857_600,
      maxDecompressedBytes: 5_242_880_000,
      maxLabelNamesPerSeries: 15,
      maxLabelNameLength: 1024,
      maxLabelValueLength: 2048,
      maxStreamsPerTenant: 5000,
      maxEntriesLimitPerQuery: 5000,
      allowStructuredMetadata: true,
      discoverLogLevels: true,
    });
  });
});

describe('ValidateEntry (validator.go; texts from validate.go)', () => {
  it('refuses lines older than 7 days', async () => {
    const res = await push(shared.get().url, pb('{a="b"}', 'old', nowNs(-8 * DAY)));
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /^entry for stream '\{a="b"\}' has timestamp too old: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ, oldest acceptable timestamp is: \d{4}-.*Z\n$/,
    );
    expect((await push(shared.get().url, pb('{a="b"}', 'six days', nowNs(-6 * DAY)))).status).toBe(204);
  });

  it('refuses lines more than 10 minutes in the future', async () => {
    const res = await push(shared.get().url, pb('{a="b"}', 'future', nowNs(11 * MINUTE)));
    expect(res.text).toMatch(/^entry for stream '\{a="b"\}' has timestamp too new: .*Z\n$/);
    expect((await push(shared.get().url, pb('{a="b"}', 'soon', nowNs(5 * MINUTE)))).status).toBe(204);
  });

  it('refuses lines over 256KB = 262144 bytes, counted in bytes, with the lower-case 3.7 text', async () => {
    const res = await push(shared.get().url, pb('{a="b"}', 'é'.repeat(131_073)));
    expect(res.status).toBe(400);
    expect(res.text).toBe(
      `max entry size '262144' bytes exceeded for stream '{a="b"}' while adding an entry with length '262146' bytes\n`,
    );
    expect((await push(shared.get().url, pb('{a="b"}', 'x'.repeat(262_144)))).status).toBe(204);
  });

  it('truncates instead with maxLineSizeTruncate (distributor.go: truncateLines)', async () => {
    await withReceiver({ maxLineSize: 10, maxLineSizeTruncate: true }, async (r) => {
      expect((await push(r.url, pb('{a="b"}', '0123456789ABC'))).status).toBe(204);
      expect(r.entries()[0]!.line).toBe('0123456789');
    });
  });

  it('applies structured metadata limits of 64KB = 65536 bytes and 128 entries', async () => {
    const entry = (meta: Record<string, string>) =>
      protobufBody([{ labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'm', meta }] }]);
    const many = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`k${i}`, 'v']));
    expect((await push(shared.get().url, entry(many))).text).toBe(
      "stream '{a=\"b\"}' has too many structured metadata labels: '129', limit: '128'. Please see `limits_config.max_structured_metadata_entries_count` or contact your Loki administrator to increase it\n",
    );
    expect((await push(shared.get().url, entry({ blob: 'x'.repeat(65_532) }))).status).toBe(204);
    expect((await push(shared.get().url, entry({ blob: 'y'.repeat(65_533) }))).text).toBe(
      "stream '{a=\"b\"}' has structured metadata too large: '65537' bytes, limit: '65536' bytes. Please see `limits_config.max_structured_metadata_size` or contact your Loki administrator to increase it\n",
    );
    await withReceiver({ allowStructuredMetadata: false }, async (r) => {
      expect((await push(r.url, entry({ trace_id: 't' }))).text).toBe(
        'stream \'{a="b", service_name="unknown_service"}\' includes structured metadata, but this feature is disallowed. Please see `limits_config.allow_structured_metadata` or contact your Loki administrator to enable it\n',
      );
    });
  });
});

describe('tenant ingestion rate, on by default: 4 MiB/s, burst 6 MiB (distributor.go: RateLimitedErrorMsg)', () => {
  it('refuses a push larger than the 6 MiB burst with 429 and stores nothing', async () => {
    await withReceiver({ maxLineSize: 0, perStreamRateBytes: Number.POSITIVE_INFINITY }, async (r) => {
      const line = 'x'.repeat(2 * 1024 * 1024);
      const body = protobufBody([
        { labels: '{a="b"}', entries: [0, 1, 2, 3].map((i) => ({ ts: nowNs() + BigInt(i), line: line + i })) },
      ]);
      const res = await push(r.url, body);
      expect(res.status).toBe(429);
      // 4 lines of 2 MiB + 1 byte, each with detected_level="unknown" (21 bytes) added before the rate check.
      expect(res.text).toBe(
        `ingestion rate limit exceeded for user fake (limit: 4194304 bytes/sec) while attempting to ingest '4' lines totaling '8388696' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased\n`,
      );
      expect(r.entryCount).toBe(0);
    });
  });

  it('counts structured metadata in the rate (util.EntryTotalSize)', async () => {
    await withReceiver({ ingestionRateBytes: 100, ingestionBurstBytes: 150, discoverLogLevels: false }, async (r) => {
      const body = protobufBody([
        { labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'x'.repeat(100), meta: { k: 'v'.repeat(49) } }] },
      ]);
      expect((await push(r.url, body)).status).toBe(204);
      const res = await push(r.url, pb('{a="b"}', 'y'.repeat(100)));
      expect(res.status).toBe(429);
      expect(res.text).toContain("(limit: 100 bytes/sec) while attempting to ingest '1' lines totaling '100' bytes");
    });
  });

  it('turns off with ingestionRateBytes: Infinity', async () => {
    await withReceiver(
      { ingestionRateBytes: Number.POSITIVE_INFINITY, maxLineSize: 0, perStreamRateBytes: Number.POSITIVE_INFINITY },
      async (r) => {
        const body = protobufBody([
          { labels: '{a="b"}', entries: [{ ts: nowNs(), line: 'x'.repeat(7 * 1024 * 1024) }] },
        ]);
        expect((await push(r.url, body)).status).toBe(204);
      },
    );
  });
});

describe('the ingester: per-stream rate (3MB/s, burst 15MB), out-of-order window, stream limit', () => {
  it('refuses a stream\'s lines over its rate with Loki\'s unit text "3MB" and answers 429 when that stream is the last', async () => {
    await withReceiver(
      {
        perStreamRateBytes: 3 * 1024 * 1024,
        perStreamBurstBytes: 100,
        ingestionRateBytes: Number.POSITIVE_INFINITY,
        discoverServiceName: false,
        discoverLogLevels: false,
      },
      async (r) => {
        const t = nowNs();
        const body = protobufBody([
          {
            labels: '{a="hot"}',
            entries: [
              { ts: t, line: 'x'.repeat(60) },
              { ts: t + 1n, line: 'y'.repeat(60) },
            ],
          },
        ]);
        const res = await push(r.url, body);
        expect(res.status).toBe(429);
        const [first, last] = res.text.trim().split('\n');
        expect(first).toMatch(
          /^entry with timestamp \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \+0000 UTC ignored, reason: 'Per stream rate limit exceeded \(limit: 3MB\/sec\) while attempting to ingest for stream '\{a="hot"\}' totaling 60B, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased',$/,
        );
        expect(last).toBe(`user 'fake', total ignored: 1 out of 2 for stream: {a="hot"}`);
        expect(r.entries().map((e) => e.line[0])).toEqual(['x']);
      },
    );
  });

  it("keeps only the last stream's outcome: a refused line in an earlier stream still answers 204 (instance.go: appendErr)", async () => {
    await withReceiver(
      {
        perStreamRateBytes: 100,
        perStreamBurstBytes: 150,
        ingestionRateBytes: Number.POSITIVE_INFINITY,
        discoverServiceName: false,
        discoverLogLevels: false,
      },
      async (r) => {
        const t = nowNs();
        const body = protobufBody([
          {
            labels: '{a="hot"}',
            entries: [
              { ts: t, line: 'x'.repeat(100) },
              { ts: t + 1n, line: 'y'.repeat(100) },
            ],
          },
          { labels: '{a="cold"}', entries: [{ ts: t, line: 'z'.repeat(100) }] },
        ]);
        const res = await push(r.url, body);
        expect(res.status).toBe(204);
        expect(
          r
            .entries()
            .map((e) => e.line[0])
            .sort(),
        ).toEqual(['x', 'z']);
        expect(r.stats()).toMatchObject({ acceptedLines: 2, rejectedLines: 1 });
      },
    );
  });

  it("accepts lines up to 1 h behind the stream's newest and lists the ones further behind (stream.go: ErrTooFarBehind)", async () => {
    const newest = nowNs();
    expect((await push(shared.get().url, pb('{a="b"}', 'newest', newest))).status).toBe(204);
    const body = protobufBody([
      {
        labels: '{a="b"}',
        entries: [
          { ts: newest - 30n * 60_000_000_000n, line: 'half an hour behind' },
          { ts: newest - 2n * 3_600_000_000_000n, line: 'two hours behind' },
        ],
      },
    ]);
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(400);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toMatch(
      /^entry with timestamp .* \+0000 UTC ignored, reason: 'entry too far behind, entry timestamp is: .*Z, oldest acceptable timestamp is: .*Z',$/,
    );
    expect(lines[1]).toBe(`user 'fake', total ignored: 1 out of 2 for stream: {a="b"}`);
    expect(
      shared
        .get()
        .query('{a="b"}')
        .result[0]!.values.map((v) => v[1]),
    ).toEqual(['half an hour behind', 'newest']);
  });

  it('drops an exact duplicate (same time, same line) silently', async () => {
    const t = nowNs();
    await push(shared.get().url, pb('{a="b"}', 'same', t));
    expect((await push(shared.get().url, pb('{a="b"}', 'same', t))).status).toBe(204);
    expect((await push(shared.get().url, pb('{a="b"}', 'different', t))).status).toBe(204);
    expect(
      shared
        .get()
        .entries()
        .map((e) => e.line),
    ).toEqual(['same', 'different']);
  });

  it('refuses new streams over the stream limit with the lower-case 3.7 text (instance.go: StreamLimitErrorMsg)', async () => {
    await withReceiver({ maxStreamsPerTenant: 1, discoverServiceName: false }, async (r) => {
      expect((await push(r.url, pb('{a="1"}'))).status).toBe(204);
      const res = await push(r.url, pb('{a="2"}'));
      expect(res.status).toBe(429);
      expect(res.text).toBe(
        `maximum active stream limit exceeded when trying to create stream {a="2"}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: 'fake'\n`,
      );
      expect((await push(r.url, pb('{a="1"}', 'same stream'))).status).toBe(204);
    });
  });
});

describe('grouped errors (pkg/util/errors.go: GroupedErrors; distributor.go)', () => {
  it('prints one validation error as it is', async () => {
    const res = await push(shared.get().url, pb('{a="b"}', 'old', nowNs(-8 * DAY)));
    expect(res.text).not.toContain('errors like');
  });

  it('groups equal messages as "N errors like: ..." and joins different ones with "; "', async () => {
    const old = nowNs(-8 * DAY);
    const body = protobufBody([
      {
        labels: '{a="b"}',
        entries: [
          { ts: old, line: 'old 1' },
          { ts: old, line: 'old 2' },
          { ts: nowNs(), line: 'kept' },
        ],
      },
      { labels: '{c="d"}', entries: [{ ts: nowNs(11 * MINUTE), line: 'future' }] },
    ]);
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(400);
    const parts = res.text.trim().split('; ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^2 errors like: entry for stream '\{a="b"\}' has timestamp too old: /);
    expect(parts[1]).toMatch(/^1 errors like: entry for stream '\{c="d"\}' has timestamp too new: /);
    expect(
      shared
        .get()
        .entries()
        .map((e) => e.line),
    ).toEqual(['kept']);
    expect(shared.get().stats()).toMatchObject({ acceptedLines: 1, rejectedLines: 3 });
  });

  it('counts one message twice as "2 errors like: ..."', async () => {
    const old = nowNs(-8 * DAY);
    const body = protobufBody([
      {
        labels: '{a="b"}',
        entries: [
          { ts: old, line: 'x' },
          { ts: old, line: 'x' },
        ],
      },
    ]);
    expect((await push(shared.get().url, body)).text).toMatch(/^2 errors like: entry for stream/);
  });

  it("lets the ingester's error win over validation errors (distributor.go: tracker.err)", async () => {
    const newest = nowNs();
    await push(shared.get().url, pb('{a="b"}', 'newest', newest));
    const body = protobufBody([
      {
        labels: '{c="d"}',
        entries: [
          { ts: nowNs(-8 * DAY), line: 'too old' },
          { ts: nowNs(), line: 'kept' },
        ],
      },
      { labels: '{a="b"}', entries: [{ ts: newest - 2n * 3_600_000_000_000n, line: 'too far behind' }] },
    ]);
    const res = await push(shared.get().url, body);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/^entry with timestamp .* ignored, reason: 'entry too far behind/);
    expect(res.text).not.toContain('too old');
  });

  it('lets the tenant rate limit win over validation errors (distributor.go: 429 after validation)', async () => {
    await withReceiver({ ingestionRateBytes: 10, ingestionBurstBytes: 10 }, async (r) => {
      const body = protobufBody([
        {
          labels: '{a="b"}',
          entries: [
            { ts: nowNs(-8 * DAY), line: 'old' },
            { ts: nowNs(), line: 'x'.repeat(50) },
          ],
        },
      ]);
      const res = await push(r.url, body);
      expect(res.status).toBe(429);
      expect(r.stats()).toMatchObject({ acceptedLines: 0, rejectedLines: 2 });
    });
  });
});

describe('JSON pushes follow the same rules', () => {
  it('validates JSON entries like protobuf ones', async () => {
    const res = await push(
      shared.get().url,
      jsonBody([{ stream: { a: 'b' }, values: values([{ ts: nowNs(-8 * DAY), line: 'old' }]) }]),
    );
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/has timestamp too old/);
  });
});
