import { type LokiReceiver, startLokiReceiver } from '@pactown/loki-receiver';
import { createLokiClient } from '@pactown/loki-transport';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every batch @pactown/loki-transport produces is accepted by the receiver
// (answering as Loki 3.7.6 with its defaults) and comes back through
// query_range as it was logged: the same stream labels (with Loki's
// service_name), the same line, a time within the record's millisecond, the
// same structured metadata (with Loki's detected_level). The receiver's own
// tests may not import the transport (see ARCHITECTURE.md), so the two meet
// here, in the app that assembles them.

let receiver: LokiReceiver;
beforeAll(async () => {
  receiver = await startLokiReceiver();
});
afterAll(async () => {
  await receiver.close();
});

// Characters that have broken log pipelines: quotes, backslashes, control
// characters, escapes, line and paragraph separators, astral characters.
const odd = fc.constantFrom(
  '"',
  '\\',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  'é',
  'ß',
  '☃',
  '😀',
  '{a="b"}',
  '`',
  '=',
  ' ',
);
const text = (maxLength: number) =>
  fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), odd), maxLength });
/**
 * Label and metadata values without U+FFFD: Loki refuses it in a label value
 * (the whole push) and removes it from metadata values, so the transport must
 * never send one there; how it replaces them is the transport's own suite's case.
 */
const value = text(24)
  .map((s) => s.replaceAll('\uFFFD', ''))
  .filter((s) => s.trim() !== '');
/**
 * Label values may hold what Loki refuses in a label (U+FFFD, lone surrogates):
 * the transport sends each such character as `?` and counts the line, so the
 * push is still taken whole.
 */
const labelValue = fc.oneof(
  value,
  fc.tuple(value, fc.constantFrom('\uFFFD', '\ud800', '\udfff', '\ud83d'), value).map((p) => p.join('')),
);
const REFUSED_IN_LABELS = /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const asLabel = (s: string) => s.replace(REFUSED_IN_LABELS, '?');
/** Lines may hold anything a JS string can, lone surrogates too (UTF-8 carries them as U+FFFD). */
const line = fc.oneof(
  text(80),
  fc.tuple(text(20), fc.constantFrom('\ud800', '\udfff'), text(20)).map((p) => p.join('')),
);

const LEVELS: Array<[number, string]> = [
  [10, 'TRACE'],
  [20, 'DEBUG'],
  [30, 'INFO'],
  [40, 'WARNING'],
  [50, 'ERROR'],
  [60, 'CRITICAL'],
];
const LEVEL_LABEL: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'critical',
};

const record = fc.record({
  level: fc.constantFrom(...LEVELS),
  logger: fc.constantFrom('pactown', 'pactown.sandbox', 'app.worker-1'),
  service: fc.oneof(fc.constantFrom('api', 'worker'), labelValue),
  message: line,
  ageMs: fc.integer({ min: 0, max: 120_000 }),
  user: fc.option(value, { nil: undefined }),
  trace: fc.option(value, { nil: undefined }),
});

/** What UTF-8 makes of a JS string: a lone surrogate becomes U+FFFD (String.prototype.toWellFormed). */
const wellFormed = (s: string) =>
  s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

interface Row {
  labels: Record<string, string>;
  line: string;
  metadata: Record<string, string>;
  ms: number;
}

const key = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));

describe('the transport and the receiver agree on every batch', () => {
  it('accepts and returns each record as logged, protobuf+snappy and JSON (plain and gzip), across many batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 60 }),
        fc.constantFrom(
          { wire: 'protobuf' as const, gzip: false },
          { wire: 'json' as const, gzip: false },
          { wire: 'json' as const, gzip: true },
        ),
        fc.integer({ min: 300, max: 4000 }),
        async (records, wire, batchBytes) => {
          receiver.reset();
          const now = Date.now();
          const client = createLokiClient({
            url: receiver.url,
            ...wire,
            batchBytes,
            batchWait: 20,
            formatter: (r) => r.message,
            flushOnExit: false,
          });
          const expected: Row[] = [];
          for (const r of records) {
            const time = now - r.ageMs;
            const fields: Record<string, unknown> = { service: r.service };
            if (r.user !== undefined) fields.user = r.user;
            if (r.trace !== undefined) fields.trace_id = r.trace;
            client.push({
              level: r.level[0],
              levelName: r.level[1],
              name: r.logger,
              message: r.message,
              time,
              pid: process.pid,
              hostname: 'host',
              fields,
            });
            const metadata: Record<string, string> = {};
            if (r.user !== undefined) metadata.user = r.user;
            if (r.trace !== undefined) metadata.trace_id = r.trace;
            expected.push({
              labels: {
                level: LEVEL_LABEL[r.level[0]]!,
                logger: r.logger,
                service: asLabel(r.service),
                service_name: asLabel(r.service),
              },
              line: wellFormed(r.message),
              metadata,
              ms: time,
            });
          }
          await client.close();
          const metrics = client.metrics();
          expect(metrics.lastError).toBeNull();
          expect(Object.values(metrics.droppedLines).reduce((a, b) => a + b, 0)).toBe(0);
          expect(metrics.sentLines).toBe(records.length);
          expect(metrics.relabelledLines).toBe(records.filter((r) => asLabel(r.service) !== r.service).length);
          expect(receiver.stats().pushStatus).toEqual({ 204: metrics.requests });

          const qs = new URLSearchParams({
            query: '{logger=~".+"}',
            start: String(BigInt(now - 130_000) * 1_000_000n),
            end: String(BigInt(now + 1000) * 1_000_000n),
            limit: '5000',
            direction: 'forward',
          });
          const res = await fetch(`${receiver.url}/loki/api/v1/query_range?${qs}`, {
            headers: { 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
          });
          expect(res.status).toBe(200);
          const body = (await res.json()) as {
            data: {
              result: Array<{
                stream: Record<string, string>;
                values: Array<[string, string, { structuredMetadata?: Record<string, string> }]>;
              }>;
            };
          };
          const got = body.data.result.flatMap((s) =>
            s.values.map(([ns, text, extra]) => {
              const { detected_level: detected, ...metadata } = extra.structuredMetadata ?? {};
              expect(detected, 'Loki 3 adds detected_level to every line').toBeTypeOf('string');
              return { labels: s.stream, line: text, metadata, ns: BigInt(ns) };
            }),
          );
          // Within a stream the transport keeps the order of the records (a nanosecond counter per millisecond).
          const order = (a: { labels: Record<string, string> }, b: { labels: Record<string, string> }) =>
            key(a.labels) < key(b.labels) ? -1 : key(a.labels) > key(b.labels) ? 1 : 0;
          got.sort((a, b) => order(a, b) || (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
          const want = expected.map((e, i) => ({ ...e, i })).sort((a, b) => order(a, b) || a.ms - b.ms || a.i - b.i);
          expect(got.map(({ ns, ...rest }) => rest)).toEqual(want.map(({ ms, i, ...rest }) => rest));
          got.forEach((g, i) => {
            const ms = BigInt(want[i]!.ms) * 1_000_000n;
            expect(g.ns >= ms && g.ns < ms + 1_000_000n, `time of ${JSON.stringify(g.line)}`).toBe(true);
          });
        },
      ),
      { numRuns: 30 },
    );
  }, 120_000);
});
