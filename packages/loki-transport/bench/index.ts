// Ships the same workload through @pactown/loki-transport, pino-loki and
// winston-loki to one Loki-compatible receiver, in one run, and prints the
// ratios the issue sets as targets. BENCH_SCALE=0.1 runs a tenth of it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machineLine, printTable, verdict } from '@pactown/bench';
import { type LokiReceiver, startLokiReceiver } from '@pactown/loki-receiver';

type Kind = 'ours' | 'pino-loki' | 'winston-loki' | 'devnull' | 'parse-only';
const PRODUCER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'producer.mjs');
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const N = Math.round(100_000 * SCALE);
const BURST = Math.round(500_000 * SCALE);
const CPU_N = Math.round(200_000 * SCALE);
const OUTAGE_S = Math.max(5, Math.round(60 * SCALE));
const WAIT_S = Math.max(20, Math.round(60 * SCALE));
const MiB = 1024 * 1024;
const now = () => performance.timeOrigin + performance.now();

function producer(kind: Kind, scenario: string, url: string, amount: number, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [PRODUCER, kind, scenario, url, String(amount)], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
  child.stdout.setEncoding('utf8');
  let out = '';
  const report = new Promise<Record<string, number>>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
    });
    child.once('exit', (code) => (out.includes('\n') ? undefined : reject(new Error(`${kind} ${scenario} producer exited with ${code}`))));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  };
  return { child, report, stop };
}

function wireBytes(receiver: LokiReceiver): number {
  return Object.values(receiver.stats().push).reduce((sum, t) => sum + t.bytes, 0);
}

/**
 * Waits until the receiver holds `count` lines, or until no line has arrived for
 * STALL_MS (a shipper whose same-millisecond duplicates Loki drops never reaches
 * `count`). `at` is when the last line arrived, so a stall does not count as time.
 */
const STALL_MS = 3000;
async function delivered(receiver: LokiReceiver, count: number, seconds: number, stallMs = Number.POSITIVE_INFINITY): Promise<{ ok: boolean; at: number }> {
  const deadline = now() + seconds * 1000;
  let seen = receiver.entryCount;
  let at = now();
  for (;;) {
    const have = receiver.entryCount;
    if (have !== seen) {
      seen = have;
      at = now();
    }
    if (have >= count) return { ok: true, at };
    if (now() >= deadline || (have > 0 && now() - at >= stallMs)) return { ok: false, at };
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const competitors: Kind[] = ['ours', 'pino-loki', 'winston-loki'];
// A fresh receiver per measurement: a killed producer's last request cannot land in the next count.
let receiver: LokiReceiver = await startLokiReceiver();
let url = receiver.url;
async function fresh(): Promise<void> {
  await receiver.close();
  receiver = await startLokiReceiver();
  url = receiver.url;
}
console.log(machineLine());
console.log(`BENCH_SCALE=${SCALE}: ${N} lines, burst ${BURST}, outage ${OUTAGE_S} s at 10,000 lines/s`);

// 1. Throughput and bytes per line: first log call until the receiver holds every line.
const throughput: Record<string, number> = {};
const held: Record<string, number> = {};
// How long the producer's own loop of log calls took: no pino transport sees a line before
// that loop yields (pino's thread stream hands lines to its worker on the next tick).
const loop: Record<string, number> = {};
const bytesPerLine: Record<string, number> = {};
// Rounds alternate between the shippers (the receiver warms up in the first), median per shipper.
const ROUNDS = SCALE >= 1 ? 3 : 1;
const tp: Record<string, Array<{ rate: number; held: number; loop: number; bytes: number }>> = {};
// The floor under any pino transport here: one that only reads and parses its lines (no shaping,
// no network), timed from the first log call until its worker has parsed the last line.
const parseOnly: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  {
    const p = producer('parse-only', 'throughput', url, N);
    const r = await p.report;
    await p.stop();
    parseOnly.push(N / ((r.parsedAt! - r.t0!) / 1000));
  }
  for (const kind of competitors) {
    await fresh();
    const p = producer(kind, 'throughput', url, N);
    const done = await delivered(receiver, N, WAIT_S * 2, STALL_MS);
    const r = await p.report;
    await p.stop();
    (tp[kind] ??= []).push({
      rate: receiver.entryCount / ((done.at - r.t0!) / 1000),
      held: receiver.entryCount,
      loop: r.loopMs!,
      bytes: wireBytes(receiver) / Math.max(1, receiver.entryCount),
    });
  }
}
for (const kind of competitors) {
  const runs = [...tp[kind]!].sort((a, b) => a.rate - b.rate);
  const mid = runs[Math.floor(runs.length / 2)]!;
  throughput[kind] = mid.rate;
  held[kind] = mid.held;
  loop[kind] = mid.loop;
  bytesPerLine[kind] = mid.bytes;
}

// 2. A burst of BURST lines, and N lines logged right before the transport is ended.
const burst: Record<string, number> = {};
const atEnd: Record<string, number> = {};
for (const kind of competitors) {
  await fresh();
  const p = producer(kind, 'throughput', url, BURST);
  await delivered(receiver, BURST, WAIT_S);
  await p.report.catch(() => undefined);
  await p.stop();
  burst[kind] = receiver.entryCount;
  await fresh();
  const e = producer(kind, 'end', url, N);
  await once(e.child, 'exit');
  // A transport that lets go of its lines before exit has nothing in flight any more.
  await delivered(receiver, N, 2);
  atEnd[kind] = receiver.entryCount;
}

// 3. CPU time of the logging (main) thread per line, against pino writing to /dev/null.
const cpu: Record<string, number> = {};
for (const kind of ['devnull', 'ours', 'pino-loki'] as Kind[]) {
  const p = producer(kind, 'cpu', url, CPU_N);
  const r = await p.report;
  await once(p.child, 'exit');
  cpu[kind] = (r.cpuMs! * 1000) / CPU_N;
}

// 4. Peak RSS while Loki is down, at 10,000 lines/s. Both pino workers get the same
// 8 MB young-generation cap: the queue is bounded, the rest is V8's garbage headroom.
const YOUNG_MB = process.env.BENCH_YOUNG_MB ?? '8';
const rss: Record<string, number> = {};
for (const kind of ['ours', 'pino-loki'] as Kind[]) {
  await fresh();
  await receiver.down({ mode: 'reset' });
  const p = producer(kind, 'outage', url, OUTAGE_S, { BENCH_YOUNG_MB: YOUNG_MB });
  const r = await p.report;
  await p.stop();
  await receiver.up();
  rss[kind] = (r.rssPeak! - r.rssStart!) / MiB;
}
await receiver.close();

const f = (n: number, d = 0) => Number(n.toFixed(d));
printTable(`Loki shipping, same receiver, same run (${new Date().toISOString().slice(0, 10)})`, ['measure', 'ours', 'pino-loki', 'winston-loki'], [
  [`throughput, ${N} lines (lines/s, median of ${ROUNDS})`, f(throughput.ours!), f(throughput['pino-loki']!), f(throughput['winston-loki']!)],
  ['  lines the receiver holds (Loki drops same-time duplicates)', held.ours!, held['pino-loki']!, held['winston-loki']!],
  ['  the log calls alone, main thread (ms)', f(loop.ours!), f(loop['pino-loki']!), f(loop['winston-loki']!)],
  ['bytes on the wire per line', f(bytesPerLine.ours!, 1), f(bytesPerLine['pino-loki']!, 1), f(bytesPerLine['winston-loki']!, 1)],
  [`burst of ${BURST}: lines delivered within ${WAIT_S} s`, burst.ours!, burst['pino-loki']!, burst['winston-loki']!],
  [`${N} lines logged right before end: delivered`, atEnd.ours!, atEnd['pino-loki']!, atEnd['winston-loki']!],
  ['main-thread CPU per line (µs; pino to /dev/null: ' + cpu.devnull!.toFixed(2) + ')', f(cpu.ours!, 2), f(cpu['pino-loki']!, 2), 'n/a'],
  [`peak RSS growth, Loki down ${OUTAGE_S} s at 10k lines/s, worker young gen ${YOUNG_MB} MB (MiB)`, f(rss.ours!, 1), f(rss['pino-loki']!, 1), 'n/a'],
]);
console.log('');
verdict('throughput vs pino-loki', throughput.ours! / throughput['pino-loki']!, { atLeast: 3 });
// The best any pino transport could do here: every line at the receiver the moment the log calls return.
const ceiling = N / (loop.ours! / 1000) / throughput['pino-loki']!;
console.log(`(ceiling for any pino transport in this run, delivery in zero time after the log calls: ${ceiling.toFixed(2)}x pino-loki)`);
verdict('throughput vs winston-loki', throughput.ours! / throughput['winston-loki']!, { atLeast: 3 });
const floor = [...parseOnly].sort((a, b) => a - b)[Math.floor(parseOnly.length / 2)]!;
console.log(
  `(a pino transport that only reads and parses its lines, nothing else: ${f(floor)} lines/s, ` +
    `${(floor / throughput['winston-loki']!).toFixed(2)}x winston-loki, ${(floor / throughput['pino-loki']!).toFixed(2)}x pino-loki; ours is ${((100 * throughput.ours!) / floor).toFixed(0)}% of it)`,
);
verdict(`burst of ${BURST} delivered (share)`, burst.ours! / BURST, { atLeast: 1 });
verdict(`${N} lines before end delivered (share)`, atEnd.ours! / N, { atLeast: 1 });
verdict('bytes per line vs pino-loki', bytesPerLine.ours! / bytesPerLine['pino-loki']!, { atMost: 0.3 });
verdict('main-thread CPU per line vs pino to /dev/null', cpu.ours! / cpu.devnull!, { atMost: 1.2 });
verdict('peak RSS growth vs queue bound (16 MiB) + 32 MiB', rss.ours! / 48, { atMost: 1 });
