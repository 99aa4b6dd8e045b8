// CPU time of the pino worker's path, stage by stage, on the benchmark's
// workload as pino writes it (NDJSON), in this one thread: split + JSON.parse
// (the floor of any transport that reads its lines), + shaping, + protobuf
// batching and snappy, then the whole client through the pino sink, pushing
// to a receiver in another process that stores each body and answers 204.
// CPU time (process.cpuUsage) rather than wall time, so a busy machine moves
// the figures less. Not a test:
//   npx tsx scripts/worker-cpu.ts [lines]          (default 200,000; WORKER_CPU_ROUNDS=5)
//   npx tsx scripts/worker-cpu.ts --rate 1000 10   (offered rate for N seconds: CPU and requests)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { machineLine, median, printTable } from '@pactown/bench';
import pino from 'pino';
import { line as workloadLine } from '../bench/workload.mjs';
import { createLokiClient } from '../src/client.js';
import { logfmtFormatter } from '../src/line-format.js';
import { normalizeOptions } from '../src/options.js';
import { PinoSink } from '../src/pino.js';
import { ProtoBatchBuilder } from '../src/proto-batch.js';
import { Shaper } from '../src/shape.js';

const args = process.argv.slice(2);
const rateMode = args[0] === '--rate';
const LINES = rateMode ? 0 : Number(args[0] ?? 200_000);
const ROUNDS = Number(process.env.WORKER_CPU_ROUNDS ?? 5);
const CHUNK = 64 * 1024;

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/** The workload's lines as pino writes them, joined into chunks of about CHUNK characters. */
function pinoText(count: number, from = 0): string[] {
  const out: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void out.push(s) });
  const children = new Map<string, pino.Logger>();
  for (let i = from; i < from + count; i++) {
    const [method, name, fields, msg] = workloadLine(i);
    let child = children.get(name);
    if (!child) children.set(name, (child = log.child({ name })));
    (child as unknown as Record<string, (f: unknown, m: string) => void>)[method]!(fields, msg);
  }
  const chunks: string[] = [];
  let cur = '';
  for (const s of out) {
    cur += s;
    if (cur.length >= CHUNK) {
      chunks.push(cur);
      cur = '';
    }
  }
  if (cur !== '') chunks.push(cur);
  return chunks;
}

function eachLine(chunks: string[], fn: (line: string) => void): void {
  for (const text of chunks) {
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      fn(text.slice(start, nl));
      start = nl + 1;
    }
  }
}

async function startSink(): Promise<{
  url: string;
  stats(): Promise<{ bodies: number; bytes: number }>;
  stop(): void;
}> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../bench/sink.mjs', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [data] = (await once(child.stdout!, 'data')) as [Buffer];
  const { port } = JSON.parse(data.toString().split('\n')[0]!) as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async stats() {
      return (await (await fetch(`${url}/bench/stats`)).json()) as { bodies: number; bytes: number };
    },
    stop: () => void child.kill(),
  };
}

// WORKER_CPU_OPTIONS='{"idleSendGap":0}': client options on top of the defaults (rate mode).
const extra = JSON.parse(process.env.WORKER_CPU_OPTIONS ?? '{}') as Record<string, unknown>;
const options = { url: 'http://127.0.0.1:9', labels: { service: 'api' }, metricsInterval: 0, flushOnExit: false };

async function burst(): Promise<void> {
  const chunks = pinoText(LINES);
  const sink = await startSink();
  const stages: Record<string, () => Promise<void> | void> = {
    'split + JSON.parse (floor)': () => eachLine(chunks, (l) => void JSON.parse(l)),
    '+ shape': () => {
      const o = normalizeOptions(options);
      const shaper = new Shaper(o, logfmtFormatter(o));
      eachLine(chunks, (l) => void shaper.shapeParsed(JSON.parse(l)));
    },
    '+ protobuf batch + snappy': () => {
      const o = normalizeOptions(options);
      const shaper = new Shaper(o, logfmtFormatter(o));
      const b = new ProtoBatchBuilder();
      eachLine(chunks, (l) => {
        const s = shaper.shapeParsed(JSON.parse(l))!;
        if (b.add(s.selector, s.labels, s.time, s.line, s.bytes, s.meta) >= o.batchBytes) b.takePayload();
      });
      b.takePayload();
    },
    'client through the pino sink, HTTP to a receiver': async () => {
      const client = createLokiClient({ ...options, url: sink.url });
      const s = new PinoSink(client);
      for (const c of chunks) if (!s.write(c)) await once(s, 'drain');
      s.end();
      await once(s, 'finish');
      const m = client.metrics();
      if (m.sentLines !== LINES) throw new Error(`sent ${m.sentLines} of ${LINES}`);
    },
  };
  const times = new Map<string, number[]>(Object.keys(stages).map((k) => [k, []]));
  const before = await sink.stats();
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(stages)) {
      const t0 = cpuMs();
      await run();
      times.get(name)!.push(cpuMs() - t0);
    }
  }
  const after = await sink.stats();
  sink.stop();
  const floor = median(times.get('split + JSON.parse (floor)')!);
  printTable(
    `Worker path, CPU time for ${LINES.toLocaleString('en')} lines (median of ${ROUNDS}; min-max)`,
    ['stage', 'CPU ms', 'µs/line', 'x floor', 'min-max'],
    [...times].map(([k, v]) => [
      k,
      median(v).toFixed(0),
      ((median(v) * 1000) / LINES).toFixed(2),
      (median(v) / floor).toFixed(2),
      `${Math.min(...v).toFixed(0)}-${Math.max(...v).toFixed(0)}`,
    ]),
  );
  console.log(`requests per round: ${((after.bodies - before.bodies) / ROUNDS).toFixed(0)}`);
}

async function steady(rate: number, seconds: number): Promise<void> {
  const sink = await startSink();
  const client = createLokiClient({ ...options, url: sink.url, ...extra });
  // WORKER_CPU_NULL=1: the same producer writing to a stream that drops everything (the harness's own CPU).
  const s = process.env.WORKER_CPU_NULL === '1' ? new Writable({ write: (_c, _e, cb) => cb() }) : new PinoSink(client);
  // Every millisecond, the lines due by then in one write, as pino's worker receives them at a low rate.
  const total = rate * seconds;
  const chunks: string[] = [];
  const log = pino({ level: 'debug' }, { write: (x: string) => void chunks.push(x) });
  const t0 = performance.now();
  const c0 = cpuMs();
  let i = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      const before = chunks.length;
      while (i < due) {
        const [method, name, fields, msg] = workloadLine(i++);
        (log as unknown as Record<string, (f: unknown, m: string) => void>)[method]!({ name, ...fields }, msg);
      }
      if (chunks.length > before) s.write(chunks.splice(before).join(''));
      if (i >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  s.end();
  await once(s, 'finish');
  const cpu = cpuMs() - c0;
  const st = await sink.stats();
  sink.stop();
  const m = process.env.WORKER_CPU_NULL === '1' ? { sentLines: 0 } : client.metrics();
  await client.close();
  console.log(
    `${rate} lines/s for ${seconds} s: sent ${m.sentLines}/${total}, ${st.bodies} requests (${(st.bodies / seconds).toFixed(1)}/s), ${(st.bytes / total).toFixed(1)} bytes/line, CPU ${cpu.toFixed(0)} ms (${((cpu * 1000) / total).toFixed(2)} µs/line, pino's formatting included)`,
  );
}

console.log(machineLine());
if (rateMode) await steady(Number(args[1] ?? 1000), Number(args[2] ?? 10));
else await burst();
