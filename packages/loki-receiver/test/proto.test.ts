import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePushRequest } from '../src/wire/protobuf.js';
import type { RawStream } from '../src/wire/raw-stream.js';
import { type FixtureStream, protobufMessage } from './helpers.js';

const NS_PER_MS = 1_000_000n;

/** A string as it comes back from UTF-8 (a lone surrogate becomes U+FFFD). */
const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

/** What the decoder should give for a stream: times split as [epoch ms, ns within the ms]. */
function expected(streams: FixtureStream[]) {
  return streams.map((s) => ({
    labelsText: s.labels,
    ms: s.entries.map((e) => Number(e.ts / 1_000_000_000n) * 1000 + Math.floor(Number(e.ts % 1_000_000_000n) / 1e6)),
    sub: s.entries.map((e) => Number(e.ts % NS_PER_MS)),
    lines: s.entries.map((e) => e.line),
    metadata: s.entries.map((e) => (e.meta && Object.keys(e.meta).length > 0 ? e.meta : undefined)),
  }));
}

/** Line `i` of a raw stream as text. */
function lineText(raw: RawStream, i: number): string {
  return raw.data.toString('utf8', raw.start[i]!, raw.end[i]!);
}

/** A decoded stream with its lines as text. */
function readable(raw: RawStream) {
  return {
    labelsText: raw.labelsText,
    ms: raw.ms,
    sub: raw.sub,
    lines: raw.ms.map((_, i) => lineText(raw, i)),
    metadata: raw.metadata,
  };
}

describe('decodePushRequest (protobufjs, from the receiver’s own .proto)', () => {
  it('reads what protobufjs writes from an independent .proto, for any streams', () => {
    const entry = fc.record({
      ts: fc.bigInt({ min: 0n, max: 4_102_444_800n * 1_000_000_000n }),
      line: fc.string({ unit: 'binary', maxLength: 40 }),
      meta: fc.option(
        fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ unit: 'binary', maxLength: 8 }), { maxKeys: 3 }),
        { nil: undefined },
      ),
    });
    const stream = fc.record({
      labels: fc.string({ unit: 'binary', maxLength: 30 }),
      entries: fc.array(entry, { maxLength: 6 }),
    });
    fc.assert(
      fc.property(fc.array(stream, { maxLength: 4 }), (streams) => {
        // A lone surrogate goes over the wire as U+FFFD: compare with what UTF-8 can carry.
        const wire = streams.map((s) => ({
          labels: utf8(s.labels),
          entries: s.entries.map((e) => ({
            ...e,
            line: utf8(e.line),
            meta: e.meta && Object.fromEntries(Object.entries(e.meta).map(([k, v]) => [utf8(k), utf8(v)])),
          })),
        }));
        expect(decodePushRequest(Buffer.from(protobufMessage(streams))).map(readable)).toEqual(expected(wire));
      }),
      { numRuns: 500 },
    );
  });

  it('skips fields it does not know, of every wire type', () => {
    const known = protobufMessage([{ labels: '{a="b"}', entries: [{ ts: 1_700_000_000_123_456_789n, line: 'x' }] }]);
    // PushRequest field 9 as varint, fixed64, length-delimited and fixed32, then the known streams.
    const unknown = Buffer.from([
      0x48, 0x96, 0x01, 0x49, 1, 2, 3, 4, 5, 6, 7, 8, 0x4a, 0x02, 0xff, 0xff, 0x4d, 1, 2, 3, 4,
    ]);
    const [stream] = decodePushRequest(Buffer.concat([unknown, known]));
    expect(lineText(stream!, 0)).toBe('x');
    expect([stream!.ms[0], stream!.sub[0]]).toEqual([1_700_000_000_123, 456_789]);
  });

  it.each([
    ['a truncated message', (b: Buffer) => b.subarray(0, b.length - 3), /index out of range/],
    ['a length past the end', (b: Buffer) => Buffer.concat([Buffer.from([0x0a, 0x7f]), b]), /index out of range/],
    ['an unknown wire type', (b: Buffer) => Buffer.concat([Buffer.from([0x4f]), b]), /invalid wire type 7/],
  ])('throws for %s', (_, mangle, message) => {
    const good = Buffer.from(protobufMessage([{ labels: '{a="b"}', entries: [{ ts: 1n, line: 'hello' }] }]));
    expect(() => decodePushRequest(mangle(good))).toThrow(message);
  });

  it('reads a negative int64 of seconds as a negative time', () => {
    const bytes = protobufMessage([{ labels: '{a="b"}', entries: [{ ts: 0n, line: 'x' }] }]);
    // Rewrite by hand: Timestamp { seconds: -1 } is ten bytes of varint.
    const ts = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const entry = Buffer.concat([Buffer.from([0x0a, ts.length]), ts, Buffer.from([0x12, 0x01, 0x78])]);
    const labels = Buffer.from([0x0a, 0x07, ...Buffer.from('{a="b"}')]);
    const stream = Buffer.concat([labels, Buffer.from([0x12, entry.length]), entry]);
    const message = Buffer.concat([Buffer.from([0x0a, stream.length]), stream]);
    expect(bytes.length).toBeGreaterThan(0);
    expect(decodePushRequest(message)[0]!.ms).toEqual([-1000]);
  });
});
