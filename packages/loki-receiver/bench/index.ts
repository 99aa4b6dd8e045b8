// Push throughput of the receiver, against a bare HTTP sink (reads the body,
// answers 204) in the same run: the sink is the floor any receiver pays for
// HTTP alone, so the ratio shows what decoding and storing add on top.
// BENCH_SCALE=0.1 runs a tenth of the 500,000 lines.
import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { machineLine, median, printTable, timeRounds, verdict, verdictSummary } from '@pactown/bench';
import { startLokiReceiver } from '../src/index.js';
import { type FixtureStream, protobufBody } from '../test/helpers.js';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const LINES = Math.max(1000, Math.round(500_000 * SCALE));
const PER_BATCH = 8000; // about 1 MiB of lines, the transport's default batch size
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');

const services = ['api', 'worker', 'billing', 'auth'];
const levels = ['info', 'warn', 'error', 'debug'];

function batches(): Array<{ pb: Buffer; json: Buffer; gz: Buffer; lines: number }> {
  const out = [];
  const start = BigInt(Date.now() - 60_000) * 1_000_000n;
  for (let done = 0; done < LINES; done += PER_BATCH) {
    const n = Math.min(PER_BATCH, LINES - done);
    const streams = new Map<string, FixtureStream & { json: { stream: Record<string, string>; values: unknown[] } }>();
    for (let i = 0; i < n; i++) {
      const k = done + i;
      const service = services[k % 4]!;
      const level = levels[(k >> 2) % 4]!;
      const key = `${service}/${level}`;
      let s = streams.get(key);
      if (!s) {
        s = {
          labels: `{level="${level}", service="${service}"}`,
          entries: [],
          json: { stream: { service, level }, values: [] },
        };
        streams.set(key, s);
      }
      const ts = start + BigInt(k) * 1000n;
      const line = `level=${level} msg="request handled" user=user${k % 997} path=/api/v1/items/${k} status=200 duration_ms=${k % 250} req=${k.toString(36)}`;
      const meta = k % 10 === 0 ? { trace_id: `t${k}` } : undefined;
      s.entries.push({ ts, line, meta });
      s.json.values.push(meta ? [ts.toString(), line, meta] : [ts.toString(), line]);
    }
    const list = [...streams.values()];
    const json = Buffer.from(JSON.stringify({ streams: list.map((s) => s.json) }));
    out.push({ pb: protobufBody(list), json, gz: gzipSync(json), lines: n });
  }
  return out;
}

async function send(url: string, bodies: Buffer[], headers: Record<string, string>): Promise<void> {
  for (const body of bodies) {
    const res = await fetch(url, { method: 'POST', headers, body });
    await res.arrayBuffer();
    if (res.status !== 204) throw new Error(`push answered ${res.status}`);
  }
}

/** Median wall time and median process CPU time (user + system) of `rounds` runs, in ms. */
async function measure(fn: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpu: number[] = [];
  const wall = await timeRounds(
    async () => {
      const before = process.cpuUsage();
      await fn();
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
    },
    { rounds: ROUNDS },
  );
  // timeRounds runs one warm-up round first; its CPU sample is dropped.
  return { wall: median(wall), cpu: median(cpu.slice(1)) };
}

async function main(): Promise<void> {
  console.log(machineLine());
  console.log(`${LINES.toLocaleString('en-US')} lines in batches of ${PER_BATCH}, median of ${ROUNDS} rounds`);
  const data = batches();
  const sink = createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/loki/api/v1/push`;
  // Loki 3's ingestion rate limits off: this measures decoding and storing, not the limiter.
  const receiver = await startLokiReceiver({
    ingestionRateBytes: Number.POSITIVE_INFINITY,
    perStreamRateBytes: Number.POSITIVE_INFINITY,
  });
  const cases: Array<{ name: string; bodies: Buffer[]; headers: Record<string, string> }> = [
    { name: 'protobuf+snappy', bodies: data.map((d) => d.pb), headers: { 'content-type': 'application/x-protobuf' } },
    { name: 'JSON', bodies: data.map((d) => d.json), headers: { 'content-type': 'application/json' } },
    {
      name: 'JSON+gzip',
      bodies: data.map((d) => d.gz),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    },
  ];
  const rows: Array<Array<string | number>> = [];
  let pbRatio = 0;
  let pbRate = 0;
  for (const c of cases) {
    const floor = await measure(() => send(sinkUrl, c.bodies, c.headers));
    const full = await measure(async () => {
      receiver.reset();
      await send(receiver.pushUrl, c.bodies, c.headers);
      if (receiver.entryCount !== LINES) throw new Error(`stored ${receiver.entryCount} of ${LINES}`);
    });
    const mb = c.bodies.reduce((n, b) => n + b.length, 0) / 2 ** 20;
    const perCpuSecond = (ms: number) => Math.round(LINES / (ms / 1000));
    rows.push([
      c.name,
      Math.round(mb * 10) / 10,
      perCpuSecond(floor.wall),
      perCpuSecond(full.wall),
      perCpuSecond(floor.cpu),
      perCpuSecond(full.cpu),
      Math.round((full.cpu / floor.cpu) * 100) / 100,
    ]);
    if (c.name === 'protobuf+snappy') {
      pbRatio = floor.cpu / full.cpu;
      pbRate = perCpuSecond(full.cpu);
    }
  }
  printTable(
    'Push throughput: lines received, decoded, validated and stored (client in the same process)',
    [
      'format',
      'MiB sent',
      'sink lines/s (wall)',
      'receiver lines/s (wall)',
      'sink lines/CPU-s',
      'receiver lines/CPU-s',
      'receiver CPU / sink CPU',
    ],
    rows,
  );
  // CPU time is the fairer number on a shared machine: wall time swings with other load.
  console.log(
    `receiver / bare sink lines per CPU-second, protobuf: ${pbRatio.toFixed(2)}x (what decoding and storing cost on top of HTTP)`,
  );
  // The transport's target is 3x pino-loki's 57,000 lines/s; the receiver must not be what limits it.
  verdict('receiver protobuf lines per CPU-second / 171,000 (transport target)', pbRate / 171_000, { atLeast: 2 });
  await receiver.close();
  sink.close();
  verdictSummary();
}

await main();
