import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamBatch } from '../src/entry.js';
import { encodePayload, splitPayload, decodePayload } from '../src/payload.js';
import { BatchBuilder, StreamClock } from '../src/batch.js';
import { ProtoBatchBuilder } from '../src/proto-batch.js';
import { encodePushRequest } from '../src/protobuf.js';
import { decodePushRequest } from '../src/proto-decode.js';
import { snappyCompress, snappyUncompress } from '../src/snappy.js';
import { decodeProto, unsnappy } from './helpers/decode.js';

function stream(
  selector: string,
  lines: string[],
  meta: Array<[string, string]> | null = null,
  ms = 1_764_201_600_123,
): StreamBatch {
  return {
    selector,
    labels: { service: 'api' },
    entries: lines.map((line, i) => ({ ms, sub: i, line, bytes: Buffer.byteLength(line), meta })),
  };
}

describe('snappy block compressor', () => {
  it('round-trips through snappyjs for arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (bytes) => {
        const out = snappyCompress(bytes);
        expect(Buffer.compare(unsnappy(out), Buffer.from(bytes))).toBe(0);
        expect(Buffer.compare(snappyUncompress(out), Buffer.from(bytes))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips repetitive text across 64 KiB blocks and compresses it', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom('level=info ', 'logger=pactown.sandbox ', 'msg="Process started" ', 'user=user123\n', 'é€😀'),
          { maxLength: 20000 },
        ),
        (parts) => {
          const input = Buffer.from(parts.join(''));
          const out = snappyCompress(input);
          expect(unsnappy(out).equals(input)).toBe(true);
          if (input.length > 10_000) expect(out.length).toBeLessThan(input.length / 3);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('round-trips long runs, fragment edges and every small size', () => {
    // Matches longer than 64 bytes (split into several copies), a match running into a
    // fragment's end, and inputs around the sizes where no match is searched for.
    for (let n = 0; n <= 40; n++) {
      const input = Buffer.alloc(n, 0x61);
      expect(unsnappy(snappyCompress(input)).equals(input)).toBe(true);
    }
    for (const n of [65_535, 65_536, 65_537, 65_536 * 3 + 7]) {
      const zeros = Buffer.alloc(n);
      const out = snappyCompress(zeros);
      expect(unsnappy(out).equals(zeros)).toBe(true);
      expect(out.length).toBeLessThan(n / 10);
    }
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 400 })), {
          maxLength: 60,
        }),
        (runs) => {
          // Pieces repeated many times, so matches cross the 64 KiB fragments at any offset.
          const input = Buffer.concat(runs.flatMap(([bytes, times]) => Array.from({ length: times }, () => bytes)));
          const out = snappyCompress(input);
          expect(out.length).toBeLessThanOrEqual(32 + input.length + Math.floor(input.length / 6));
          expect(unsnappy(out).equals(input)).toBe(true);
          expect(snappyUncompress(out).equals(input)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives each block bytes of its own, however large the input', () => {
    const input = Buffer.from('level=info logger=pactown.sandbox msg="Process started" '.repeat(200_000));
    const out = snappyCompress(input);
    expect(out.buffer.byteLength).toBe(out.length);
    expect(unsnappy(out).equals(input)).toBe(true);
    const small = snappyCompress(Buffer.from('abc'));
    expect(small.buffer.byteLength).toBe(small.length);
  });

  it('handles a 1 MiB batch of log lines', () => {
    const lines = Array.from(
      { length: 12_000 },
      (_, i) =>
        `level=info logger=pactown.sandbox msg="Process started with PID: ${10_000 + i}" service=service_${i % 50}\n`,
    );
    const input = Buffer.from(lines.join(''));
    const out = snappyCompress(input);
    expect(unsnappy(out).equals(input)).toBe(true);
    expect(out.length).toBeLessThan(input.length / 4);
  });
});

describe('protobuf PushRequest encoder', () => {
  it('decodes with protobufjs built from the logproto schema', () => {
    const body = encodePushRequest([
      stream('{level="info", service="api"}', ['first', 'second €', ''], [['user', 'user123']]),
      stream('{level="error", service="api"}', ['boom'], null, 1_000),
    ]);
    const decoded = decodeProto(body);
    expect(decoded).toEqual([
      {
        labels: '{level="info", service="api"}',
        entries: [
          { ns: 1_764_201_600_123_000_000n, line: 'first', metadata: { user: 'user123' } },
          { ns: 1_764_201_600_123_000_001n, line: 'second €', metadata: { user: 'user123' } },
          { ns: 1_764_201_600_123_000_002n, line: '', metadata: { user: 'user123' } },
        ],
      },
      { labels: '{level="error", service="api"}', entries: [{ ns: 1_000_000_000n, line: 'boom', metadata: {} }] },
    ]);
  });

  it('writes timestamps past 2^32 seconds and lines of every kind of character exactly', () => {
    // Varints above 2^32 take the slow path; ASCII strings are written as latin1, others as UTF-8.
    const times = [0, 127_999, 4_294_967_295_999, 4_294_967_296_000, 2 ** 45, 8_640_000_000_000_000];
    const lines = ['plain ascii', 'café', '€ and 😀', '\u0000\u007f\u0080', '\ud800 lone', 'x'.repeat(20_000)];
    const body = encodePushRequest([
      {
        selector: '{service="api"}',
        labels: { service: 'api' },
        entries: times.map((ms, i) => ({
          ms,
          sub: i,
          line: lines[i]!,
          bytes: Buffer.byteLength(lines[i]!),
          meta: [['name_é', `v${i} ✓`]],
        })),
      },
    ]);
    expect(decodeProto(body)[0]!.entries).toEqual(
      times.map((ms, i) => ({
        ns: BigInt(ms) * 1_000_000n + BigInt(i),
        line: Buffer.from(lines[i]!).toString(),
        metadata: { name_é: `v${i} ✓` },
      })),
    );
  });

  it('matches protobufjs for arbitrary streams, and its own decoder reads it back', () => {
    const entry = fc.record({
      ms: fc.integer({ min: 0, max: 4_102_444_800_000 }),
      sub: fc.integer({ min: 0, max: 999_999 }),
      line: fc.string({ unit: 'grapheme', maxLength: 300 }),
      meta: fc.option(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 40 })), {
          minLength: 1,
          maxLength: 4,
        }),
        { nil: null },
      ),
    });
    const streams = fc.array(
      fc.record({ selector: fc.string({ maxLength: 60 }), entries: fc.array(entry, { maxLength: 20 }) }),
      { maxLength: 6 },
    );
    fc.assert(
      fc.property(streams, (input) => {
        const batches: StreamBatch[] = input.map((s) => ({
          selector: s.selector,
          labels: {},
          entries: s.entries.map((e) => ({ ...e, bytes: Buffer.byteLength(e.line) })),
        }));
        const body = encodePushRequest(batches);
        const decoded = decodeProto(body);
        expect(decoded.map((s) => s.labels)).toEqual(batches.map((s) => s.selector));
        decoded.forEach((s, i) => {
          expect(s.entries.map((e) => e.line)).toEqual(batches[i]!.entries.map((e) => e.line));
          expect(s.entries.map((e) => e.ns)).toEqual(
            batches[i]!.entries.map((e) => BigInt(e.ms) * 1_000_000n + BigInt(e.sub)),
          );
          expect(s.entries.map((e) => e.metadata)).toEqual(
            batches[i]!.entries.map((e) => Object.fromEntries(e.meta ?? [])),
          );
        });
        const back = decodePushRequest(body);
        expect(back.map((s) => s.entries.map((e) => [e.ms, e.sub, e.line]))).toEqual(
          batches.map((s) => s.entries.map((e) => [e.ms, e.sub, e.line])),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('ProtoBatchBuilder (protobuf written as lines arrive)', () => {
  const add = fc.record({
    selector: fc.constantFrom('{service="api"}', '{level="error", service="api"}', '{service="ünïcode €"}', ''),
    time: fc.oneof(
      fc.integer({ min: 0, max: 4_102_444_800_000 }),
      fc.constant(1_764_201_600_123),
      fc.constant(-1),
      fc.constant(Number.NaN),
    ),
    line: fc.string({ unit: 'grapheme', maxLength: 300 }),
    meta: fc.option(
      fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 40 })), {
        minLength: 1,
        maxLength: 3,
      }),
      { nil: null },
    ),
  });

  it('writes the same bytes as encoding the finished batch, over several batches, and protobufjs reads them', () => {
    fc.assert(
      fc.property(fc.array(fc.array(add, { maxLength: 40 }), { minLength: 1, maxLength: 3 }), (batches) => {
        const reference = new BatchBuilder(new StreamClock());
        const streaming = new ProtoBatchBuilder(new StreamClock());
        const compressed = new ProtoBatchBuilder(new StreamClock());
        for (const batch of batches) {
          // A record without a usable time is stamped with the current time: give both the same one.
          const fixed = batch.map((a) => ({ ...a, time: Number.isFinite(a.time) && a.time >= 0 ? a.time : 1_000 }));
          for (const a of fixed) {
            const bytes = Buffer.byteLength(a.line);
            reference.add(a.selector, {}, a.time, a.line, bytes, a.meta);
            const size = streaming.add(a.selector, {}, a.time, a.line, bytes, a.meta);
            expect(size).toBeGreaterThan(0);
          }
          const expected = encodePushRequest(reference.take());
          // The compressed payload, made piece by piece, holds the same bytes as well.
          for (const a of fixed) compressed.add(a.selector, {}, a.time, a.line, Buffer.byteLength(a.line), a.meta);
          expect(unsnappy(compressed.takePayload().body).equals(expected)).toBe(true);
          const { body, lines, lineBytes } = streaming.takeBody();
          expect(body.equals(expected)).toBe(true);
          expect(lines).toBe(fixed.length);
          expect(lineBytes).toBe(fixed.reduce((n, a) => n + Buffer.byteLength(a.line), 0));
          expect(
            decodeProto(body)
              .flatMap((s) => s.entries.map((e) => e.line))
              .sort(),
          ).toEqual(fixed.map((a) => a.line).sort());
        }
      }),
      { numRuns: 150 },
    );
  });

  it('counts the exact uncompressed size as it fills, and reuses its buffers batch after batch', () => {
    const b = new ProtoBatchBuilder(new StreamClock());
    for (let round = 0; round < 3; round++) {
      let size = 0;
      for (let i = 0; i < 5000; i++)
        size = b.add(
          `{service="s${i % 7}"}`,
          {},
          1_764_201_600_000 + i,
          `line ${i} ${'x'.repeat(i % 90)}`,
          Buffer.byteLength(`line ${i} ${'x'.repeat(i % 90)}`),
          null,
        );
      // The header estimate counts each stream's length varint at 5 bytes.
      const { body } = b.takeBody();
      expect(size - body.length).toBeGreaterThanOrEqual(0);
      expect(size - body.length).toBeLessThanOrEqual(7 * 4);
      expect(decodeProto(body).reduce((n, s) => n + s.entries.length, 0)).toBe(5000);
    }
  });
});

describe('payloads', () => {
  it('protobuf payload is snappy-compressed protobuf', () => {
    const p = encodePayload([stream('{service="api"}', ['a', 'b'])], 'protobuf', false);
    expect(p.lines).toBe(2);
    expect(decodeProto(unsnappy(p.body))[0]!.entries.map((e) => e.line)).toEqual(['a', 'b']);
  });

  it('JSON payload uses string nanosecond timestamps and metadata objects, gzip optional', () => {
    for (const gzip of [false, true]) {
      const p = encodePayload(
        [stream('{service="api"}', ['a'], [['trace_id', 'abc']], 1_764_201_600_123)],
        'json',
        gzip,
      );
      const raw = gzip ? gunzipSync(p.body) : p.body;
      expect(JSON.parse(raw.toString())).toEqual({
        streams: [{ stream: { service: 'api' }, values: [['1764201600123000000', 'a', { trace_id: 'abc' }]] }],
      });
    }
  });

  it('splits a payload into halves that together hold every line in order', () => {
    for (const wire of ['protobuf', 'json'] as const) {
      const p = encodePayload(
        [stream('{a="1"}', ['1', '2', '3']), stream('{a="2"}', ['4', '5'])],
        wire,
        wire === 'json',
      );
      const halves = splitPayload(p)!;
      expect(halves.map((h) => h.lines)).toEqual([2, 3]);
      const lines = halves.flatMap((h) => decodePayload(h).flatMap((s) => s.entries.map((e) => e.line)));
      expect(lines).toEqual(['1', '2', '3', '4', '5']);
      expect(splitPayload(encodePayload([stream('{a="1"}', ['only'])], wire, false))).toBeNull();
    }
  });
});
