// The hand-written protobuf encoder and snappy compressor against protobufjs
// and snappyjs, in one run, on the same batches. Not a test:
//   npx tsx scripts/encoder-bench.ts     (ENCODER_BENCH_BATCHES=20 for more)
import { machineLine, median, printTable } from '@pactown/bench';
import protobuf from 'protobufjs';
import snappyjs from 'snappyjs';
import type { StreamBatch } from '../src/entry.js';
import { ProtoBatchBuilder } from '../src/proto-batch.js';
import { encodePushRequest, splitTime } from '../src/protobuf.js';
import { snappyCompress, snappyUncompress } from '../src/snappy.js';

const SCHEMA = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
`;
const PushRequest = protobuf.parse(SCHEMA).root.lookupType('logproto.PushRequest');

// Seed-shaped batches: ~1 MiB of lines each, 4 loggers x 3 levels x 2 services, some with metadata.
const LINES_PER_BATCH = 9000;
const BATCHES = Number(process.env.ENCODER_BENCH_BATCHES ?? 10);
const ROUNDS = 7;
const loggers = ['pactown.sandbox', 'pactown.security', 'pactown.api', 'pactown.runner'];
const levels = ['info', 'warning', 'error'];
const t0 = Date.UTC(2026, 11, 3);

interface Line {
  selector: string;
  time: number;
  line: string;
  bytes: number;
  meta: Array<[string, string]> | null;
}

function makeBatch(b: number): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < LINES_PER_BATCH; i++) {
    const n = b * LINES_PER_BATCH + i;
    const logger = loggers[n % 4]!;
    const level = levels[n % 3]!;
    const service = `service_${n % 2}`;
    const user = `user${n % 997}`;
    const line = `level=${level} logger=${logger} msg="Process started with PID: ${10_000 + (n % 50_000)}" service=${service} user=${user} port=${8000 + (n % 100)} request=${(n * 2654435761) % 1e9}`;
    out.push({
      selector: `{level="${level}", logger="${logger}", service="${service}"}`,
      time: t0 + Math.floor(n / 10),
      line,
      bytes: Buffer.byteLength(line),
      meta:
        n % 2 === 0
          ? [
              ['userId', user],
              ['trace_id', (n * 40503).toString(16).padStart(32, '0')],
            ]
          : null,
    });
  }
  return out;
}

const batches = Array.from({ length: BATCHES }, (_, b) => makeBatch(b));

/** The same batch as the StreamBatch the package's whole-batch encoder takes. */
function streamsOf(lines: Line[]): StreamBatch[] {
  const by = new Map<string, StreamBatch>();
  const subs = new Map<string, number>();
  for (const l of lines) {
    let s = by.get(l.selector);
    if (s === undefined) by.set(l.selector, (s = { selector: l.selector, labels: {}, entries: [] }));
    const key = `${l.selector}@${l.time}`;
    const sub = subs.get(key) ?? 0;
    subs.set(key, sub + 1);
    s.entries.push({ ms: l.time, sub, line: l.line, bytes: l.bytes, meta: l.meta });
  }
  return [...by.values()];
}

/** What protobufjs needs: a message object per stream, entry, timestamp and metadata pair. */
function messageOf(streams: StreamBatch[]) {
  return {
    streams: streams.map((s) => ({
      labels: s.selector,
      entries: s.entries.map((e) => {
        const { seconds, nanos } = splitTime(e.ms, e.sub);
        return {
          timestamp: { seconds, nanos },
          line: e.line,
          structuredMetadata: e.meta?.map(([name, value]) => ({ name, value })) ?? [],
        };
      }),
    })),
  };
}

function time(fn: () => unknown): number {
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    fn();
    rounds.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(rounds);
}

const streams = batches.map(streamsOf);
const encoded = streams.map((s) => encodePushRequest(s));

// Same output, or the comparison means nothing: both encoders decode to the same message.
for (let i = 0; i < BATCHES; i++) {
  const ours = PushRequest.toObject(PushRequest.decode(encoded[i]!), { longs: Number, defaults: true });
  const theirs = PushRequest.toObject(
    PushRequest.decode(PushRequest.encode(PushRequest.fromObject(messageOf(streams[i]!))).finish()),
    { longs: Number, defaults: true },
  );
  if (JSON.stringify(ours) !== JSON.stringify(theirs)) throw new Error(`batch ${i}: the encoders disagree`);
  if (!snappyUncompress(snappyCompress(encoded[i]!)).equals(encoded[i]!))
    throw new Error(`batch ${i}: snappy round trip failed`);
  if (!Buffer.from(snappyjs.uncompress(snappyCompress(encoded[i]!))).equals(encoded[i]!))
    throw new Error(`batch ${i}: snappyjs cannot read our block`);
}

const builder = new ProtoBatchBuilder();
const rows: Array<[string, number, number]> = [
  [
    'lines to compressed body (the real path: per line as it arrives, then seal)',
    time(() => {
      for (const lines of batches) {
        for (const l of lines) builder.add(l.selector, {}, l.time, l.line, l.bytes, l.meta);
        builder.takePayload();
      }
    }),
    time(() => {
      for (const s of streams) snappyjs.compress(PushRequest.encode(messageOf(s)).finish());
    }),
  ],
  [
    'snappy compress of the encoded batches',
    time(() => {
      for (const e of encoded) snappyCompress(e);
    }),
    time(() => {
      for (const e of encoded) snappyjs.compress(e);
    }),
  ],
  [
    'protobuf encode of a whole batch (no compression)',
    time(() => streams.forEach((s) => encodePushRequest(s))),
    time(() => streams.forEach((s) => PushRequest.encode(messageOf(s)).finish())),
  ],
];

const mib = encoded.reduce((a, e) => a + e.length, 0) / 1024 / 1024;
console.log(machineLine());
printTable(
  `Encoder, ${BATCHES} batches x ${LINES_PER_BATCH} lines (${mib.toFixed(1)} MiB of protobuf), median of ${ROUNDS} (ms)`,
  ['step', 'ours', 'protobufjs + snappyjs', 'ratio (theirs / ours)'],
  rows.map(([name, ours, theirs]) => [name, ours.toFixed(1), theirs.toFixed(1), `${(theirs / ours).toFixed(2)}x`]),
);
