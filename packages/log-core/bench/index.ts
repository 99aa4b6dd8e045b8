import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machineLine, median, printTable, verdict } from '@pactown/bench';
import pino from 'pino';
import { getLogger } from '../src/index.js';
import { coreJson, corePattern, lineCount, pinoJson, pinoPretty, type Run, winstonJson, winstonPrintf } from './contenders.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const LINES = Math.max(1000, Math.round(100_000 * scale));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-core-bench-'));
let fileNo = 0;

interface Speed {
  /** Lines per second of process CPU time (all threads, file I/O included): steady on a shared machine. */
  cpu: number;
  /** Lines per second of wall-clock time, until the file holds every line. */
  wall: number;
}

/** Throughput of each contender, rounds interleaved so load changes hit all alike. */
async function throughput(contenders: Record<string, Run>): Promise<Record<string, Speed>> {
  const samples: Record<string, { cpu: number[]; wall: number[] }> = {};
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const file = path.join(dir, `${fileNo++}.log`);
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await run(file, LINES);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = process.cpuUsage(c0);
      const lines = lineCount(file);
      fs.rmSync(file, { force: true });
      if (lines !== LINES) throw new Error(`${name} wrote ${lines} of ${LINES} lines`);
      if (round < 0) continue;
      const s = (samples[name] ??= { cpu: [], wall: [] });
      s.cpu.push((LINES / ((cpu.user + cpu.system) / 1000)) * 1000);
      s.wall.push((LINES / ms) * 1000);
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { cpu: median(v.cpu), wall: median(v.wall) }]));
}

function speedRows(speeds: Record<string, Speed>, ours: Speed): Array<Array<string | number>> {
  return Object.entries(speeds).map(([k, v]) => [k, v.cpu, `${(ours.cpu / v.cpu).toFixed(2)}x`, v.wall, `${(ours.wall / v.wall).toFixed(2)}x`]);
}

const HEADER = ['logger', 'lines/CPU-s', 'log-core vs', 'lines/s (wall)', 'log-core vs (wall)'];

/** Nanoseconds per call of a method below the level. */
function disabledCost(call: () => void, n: number): number {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS + 1; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) call();
    times.push(Number(process.hrtime.bigint() - t0) / n);
  }
  return median(times.slice(1));
}

async function main() {
  console.log(`log-core benchmarks: ${machineLine()}`);
  console.log(`${LINES.toLocaleString('en-US')} lines per run, median of ${ROUNDS} rounds (BENCH_SCALE=${scale}), load average ${os.loadavg()[0]!.toFixed(1)}`);
  console.log('Verdicts use lines per CPU-second of the whole process (I/O threads included), which a busy shared machine does not distort; wall-clock figures are shown next to them.');
  const ok: boolean[] = [];

  const json = await throughput({ 'pino (raw JSON)': pinoJson, 'log-core (json file handler)': coreJson, 'winston (json, File)': winstonJson });
  const [p, c, w] = Object.values(json) as [Speed, Speed, Speed];
  printTable('info + two fields as JSON to a file', HEADER, speedRows(json, c));
  ok.push(verdict('log-core / pino, JSON to file (CPU)', c.cpu / p.cpu, { atLeast: 0.9 }));
  ok.push(verdict('log-core / winston, JSON to file (CPU)', c.cpu / w.cpu, { atLeast: 1.8 }));
  verdict('log-core / pino, JSON to file (wall, informative)', c.wall / p.wall, { atLeast: 0.9 });

  const pattern = await throughput({ 'log-core (pattern file handler)': corePattern, 'pino + pino-pretty (no colour)': pinoPretty, 'winston (printf, File)': winstonPrintf });
  const [cp, pp, wp] = Object.values(pattern) as [Speed, Speed, Speed];
  printTable('the same pattern text to a file', HEADER, speedRows(pattern, cp));
  ok.push(verdict('log-core / pino-pretty, pattern to file (CPU)', cp.cpu / pp.cpu, { atLeast: 2.5 }));
  ok.push(verdict('log-core / winston printf, pattern to file (CPU)', cp.cpu / wp.cpu, { atLeast: 1 }));
  verdict('log-core / pino-pretty, pattern to file (wall, informative)', cp.wall / pp.wall, { atLeast: 2.5 });

  const calls = Math.max(100_000, Math.round(10_000_000 * scale));
  const rawPino = pino({ level: 'info' }, { write() {} });
  const core = getLogger('bench.disabled');
  core.setLevel('INFO');
  const childCore = core.child({ service: 'x' });
  const pinoNs = disabledCost(() => rawPino.debug({ a: 1 }, 'hidden'), calls);
  const coreNs = disabledCost(() => childCore.debug({ a: 1 }, 'hidden'), calls);
  printTable('a call below the level (ns/call)', ['logger', 'ns/call'], [['pino', pinoNs], ['log-core (child of a named logger)', coreNs]]);
  ok.push(verdict('log-core / pino, disabled call cost', coreNs / pinoNs, { atMost: 1.2 }));

  const top = getLogger('benchtree');
  for (let i = 0; i < 10_000; i++) getLogger(`benchtree.s${i % 100}.l${i}`).child({ i });
  const setTimes: number[] = [];
  for (let round = 0; round < 21; round++) {
    const t0 = process.hrtime.bigint();
    top.setLevel(round % 2 ? 'DEBUG' : 'ERROR');
    setTimes.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (getLogger('benchtree.s7.l107').getEffectiveLevel() !== 50) throw new Error('setLevel did not reach a descendant');
  const setMs = median(setTimes);
  printTable('setLevel on a parent of 10,100 loggers (+10,000 pino children)', ['operation', 'µs', 'budget (µs)'], [['setLevel', setMs * 1000, 20_000]]);
  ok.push(verdict('setLevel over 10,000 descendants vs the 20 ms budget', setMs / 20, { atMost: 1 }));

  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`\n${ok.filter(Boolean).length}/${ok.length} targets met`);
}

await main();
