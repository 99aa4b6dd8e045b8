// Benchmarks of @pactown/log-core (run: `npx pnpm@10.34.8 bench`; BENCH_SCALE=0.1 for a quick
// pass, BENCH_ROUNDS for the rounds of every table):
// 1. throughput to a file, JSON vs pino and winston, pattern text vs pino-pretty and winston printf;
// 2. a call below the level vs pino's;
// 3. masking captured output, a key=value line vs a plain line (bench/masking.ts);
// 4. setLevel over 10,000 descendants.
// Every contender's every round runs in a process of its own, rounds interleaved with the order
// rotating; the harness (this process) only starts them, takes their reports, and counts what
// they wrote after they have exited. Each verdict is preceded by the quiet-machine check.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  interleave,
  machineLine,
  median,
  printSettings,
  printTable,
  range,
  verdict,
  verdictSummary,
  waitForQuiet,
} from '@pactown/bench';
import { runChild } from './child.js';
import { CONTENDERS, type ContenderName, MESSAGE } from './contenders.js';
import { runOnce, type ThroughputReport } from './throughput.js';
import { maskingCosts, reportMasking } from './masking.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const LINES = Math.max(1000, Math.round(100_000 * scale));
/**
 * Lines each contender's process logs (to another file) before its measured run: as many as the
 * run itself, so the run finds the code as a process that has been logging for a while does (with
 * a quarter as many, log-core's runs took measurably more CPU than in a long-running process).
 */
const WARMUP_LINES = LINES;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'log-core-bench-'));
process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const waitQuiet = async () => {
  if (Number(process.env.BENCH_WAIT_QUIET) > 0) await waitForQuiet();
};

/** Lines per second of process CPU (every thread) and of wall time, one entry per round. */
interface Speeds {
  cpu: number[];
  wall: number[];
  reports: ThroughputReport[];
}

/** Throughput of each contender, each round in a process of its own, rounds interleaved. */
async function throughput(names: ContenderName[]): Promise<Record<string, Speeds>> {
  await waitQuiet();
  const runs = await interleave(names, ROUNDS, (name) =>
    runOnce(name as ContenderName, path.join(dir, `${fileNo++}.log`), LINES, WARMUP_LINES),
  );
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        cpu: runs[n]!.map((r) => (r.lines / r.cpuMs) * 1000),
        wall: runs[n]!.map((r) => (r.lines / r.wallMs) * 1000),
        reports: runs[n]!,
      },
    ]),
  );
}

const HEADER = [
  'logger',
  'lines/CPU-s',
  'log-core vs',
  'lines/s (wall)',
  'log-core vs (wall)',
  'CPU ms per run',
  'wall ms per run',
];

/** Table rows: median (min–max) of the rounds; the ratios are of the medians. */
function speedRows(speeds: Record<string, Speeds>, ours: string): Array<Array<string | number>> {
  const o = speeds[ours]!;
  return Object.entries(speeds).map(([k, v]) => [
    k,
    range(v.cpu),
    `${(median(o.cpu) / median(v.cpu)).toFixed(2)}x`,
    range(v.wall),
    `${(median(o.wall) / median(v.wall)).toFixed(2)}x`,
    range(
      v.reports.map((r) => r.cpuMs),
      0,
    ),
    range(
      v.reports.map((r) => r.wallMs),
      0,
    ),
  ]);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The raw numbers of a ratio of medians: `[log-core 433,319 / pino 231,021 lines per CPU-s]`. */
function raw(speeds: Record<string, Speeds>, ours: string, other: string, key: 'cpu' | 'wall'): string {
  const unit = key === 'cpu' ? 'lines per CPU-s' : 'lines per s of wall time';
  return `${ours} ${fmt(median(speeds[ours]![key]))} / ${other} ${fmt(median(speeds[other]![key]))} ${unit}, medians of ${ROUNDS} rounds`;
}

function ratio(speeds: Record<string, Speeds>, ours: string, other: string, key: 'cpu' | 'wall'): number {
  return median(speeds[ours]![key]) / median(speeds[other]![key]);
}

function settingsOf(names: ContenderName[]): void {
  printSettings({
    workload: `${LINES.toLocaleString('en-US')} calls of info({ service: 'service_123', port: 8001 }, '${MESSAGE}') per run, after ${WARMUP_LINES.toLocaleString('en-US')} warm-up calls to another file in the same process`,
    window:
      "from creating the logger until its file is closed (holds every line); CPU: process.cpuUsage() of the contender's process (every thread), wall: hrtime; the harness counts the lines after the process has exited",
    ...Object.fromEntries(names.map((n) => [n, CONTENDERS[n].settings])),
  });
}

const DISABLED = {
  pino: 'pino (root logger)',
  'pino-child': 'pino (child of the root)',
  'log-core': 'log-core (named logger)',
  'log-core-child': 'log-core (child of a named logger)',
} as const;
type Disabled = keyof typeof DISABLED;

/**
 * Nanoseconds per call of a method below the level, per contender: each measurement runs in a
 * fresh process of its own (so no contender inherits another's JIT state), rounds interleaved;
 * each process's figure is the median of its timed rounds.
 */
async function disabledCosts(calls: number): Promise<Record<Disabled, Array<{ ns: number; rounds: number[] }>>> {
  await waitQuiet();
  return (await interleave(Object.keys(DISABLED), ROUNDS, (name) =>
    runChild<{ ns: number; rounds: number[] }>(
      'disabled-call.ts',
      [name, String(calls), '5'],
      `disabled-call contender ${name}`,
    ),
  )) as Record<Disabled, Array<{ ns: number; rounds: number[] }>>;
}

interface ThroughputTarget {
  /** The verdict's name, as the README's table and the summary rows give it. */
  label: string;
  rival: ContenderName;
  atLeast: number;
}

/**
 * One throughput table: `ours` and its rivals, each round in processes of their own, then a
 * verdict per CPU target (counted in `ok`) and one informative wall-clock verdict.
 */
async function throughputTable(
  ok: boolean[],
  title: string,
  names: ContenderName[],
  ours: ContenderName,
  targets: ThroughputTarget[],
  wall: ThroughputTarget,
): Promise<void> {
  const speeds = await throughput(names);
  printTable(`${title}; median (min–max) of ${ROUNDS} interleaved rounds`, HEADER, speedRows(speeds, ours));
  settingsOf(names);
  for (const t of targets) {
    ok.push(
      verdict(
        `${t.label} (CPU)`,
        ratio(speeds, ours, t.rival, 'cpu'),
        { atLeast: t.atLeast },
        raw(speeds, ours, t.rival, 'cpu'),
      ),
    );
  }
  verdict(
    `${wall.label} (wall, informative)`,
    ratio(speeds, ours, wall.rival, 'wall'),
    { atLeast: wall.atLeast },
    raw(speeds, ours, wall.rival, 'wall'),
  );
}

/** JSON to a file: log-core against pino and winston. */
function jsonTable(ok: boolean[]): Promise<void> {
  const pino = { label: 'log-core / pino, JSON to file', rival: 'pino (raw JSON)', atLeast: 0.9 } as const;
  return throughputTable(
    ok,
    'info + two fields as JSON to a file',
    ['pino (raw JSON)', 'log-core (json file handler)', 'winston (json, File)'],
    'log-core (json file handler)',
    [pino, { label: 'log-core / winston, JSON to file', rival: 'winston (json, File)', atLeast: 1.8 }],
    pino,
  );
}

/** Pattern text to a file: log-core against pino-pretty and winston printf. */
function patternTable(ok: boolean[]): Promise<void> {
  const pretty = {
    label: 'log-core / pino-pretty, pattern to file',
    rival: 'pino + pino-pretty (no colour)',
    atLeast: 2.5,
  } as const;
  return throughputTable(
    ok,
    'the same pattern text to a file',
    ['log-core (pattern file handler)', 'pino + pino-pretty (no colour)', 'winston (printf, File)'],
    'log-core (pattern file handler)',
    [pretty, { label: 'log-core / winston printf, pattern to file', rival: 'winston (printf, File)', atLeast: 1 }],
    pretty,
  );
}

/** A call below the level: log-core against pino. */
async function disabledTable(ok: boolean[]): Promise<void> {
  const calls = Math.max(100_000, Math.round(10_000_000 * scale));
  const disabled = await disabledCosts(calls);
  const ns = (k: Disabled) => median(disabled[k].map((r) => r.ns));
  printTable(
    `a call below the level (ns/call; each contender's every round in a process of its own; median (min–max) of ${ROUNDS} interleaved processes)`,
    ['logger', 'ns/call', 'log-core child / this (medians)'],
    (Object.keys(DISABLED) as Disabled[]).map((k) => [
      DISABLED[k],
      range(
        disabled[k].map((r) => r.ns),
        2,
      ),
      `${(ns('log-core-child') / ns(k)).toFixed(2)}x`,
    ]),
  );
  printSettings({
    call: "log.debug({ a: 1 }, 'hidden') on a logger at INFO",
    work: `${calls.toLocaleString('en-US')} calls per timed round, 5 timed rounds after a warm-up of at least 5 rounds and 0.5 s; a process's figure is the median of its rounds (hrtime)`,
    pino: "pino({ level: 'info' }, { write() {} }); the child: .child({ service: 'x' })",
    'log-core': "getLogger('bench.disabled') at INFO; the child: .child({ service: 'x' })",
  });
  const nsRaw = (a: Disabled, b: Disabled) =>
    `${DISABLED[a]} ${ns(a).toFixed(2)} ns / ${DISABLED[b]} ${ns(b).toFixed(2)} ns per call, medians of ${ROUNDS} processes`;
  ok.push(
    verdict(
      'log-core child / pino child, disabled call cost',
      ns('log-core-child') / ns('pino-child'),
      { atMost: 1.2 },
      nsRaw('log-core-child', 'pino-child'),
    ),
  );
  verdict(
    'log-core child / pino root, disabled call cost (informative)',
    ns('log-core-child') / ns('pino'),
    { atMost: 1.2 },
    nsRaw('log-core-child', 'pino'),
  );
}

/** Masking captured output: a key=value line against a plain line (bench/masking.ts). */
async function maskingTable(ok: boolean[]): Promise<void> {
  ok.push(reportMasking(await maskingCosts()));
}

/** setLevel over 10,000 descendants against its 20 ms budget. */
async function setLevelTable(ok: boolean[]): Promise<void> {
  await waitQuiet();
  const { ms: setTimes } = await runChild<{ ms: number[] }>('set-level.ts', ['21'], 'setLevel');
  const setMs = median(setTimes);
  printTable(
    'setLevel on a parent of 10,100 loggers (+10,000 pino children), in a process of its own; median (min–max) of 21 calls',
    ['operation', 'µs', 'budget (µs)'],
    [
      [
        'setLevel',
        range(
          setTimes.map((t) => t * 1000),
          2,
        ),
        20_000,
      ],
    ],
  );
  ok.push(
    verdict(
      'setLevel over 10,000 descendants vs the 20 ms budget',
      setMs / 20,
      { atMost: 1 },
      `${(setMs * 1000).toFixed(2)} µs / 20,000 µs`,
    ),
  );
}

/** The tables, in the order they run; `npx tsx bench/index.ts json masking` runs some of them. */
const TABLES = {
  json: jsonTable,
  pattern: patternTable,
  disabled: disabledTable,
  masking: maskingTable,
  'set-level': setLevelTable,
} as const;

async function main() {
  const asked = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = asked.filter((a) => !(a in TABLES));
  if (unknown.length) {
    console.error(`unknown table ${unknown.join(', ')}; one or more of: ${Object.keys(TABLES).join(', ')}`);
    process.exit(2);
  }
  console.log(`log-core benchmarks: ${machineLine()}`);
  console.log(
    `${LINES.toLocaleString('en-US')} lines per run, ${ROUNDS} interleaved rounds, each contender's every round in a process of its own (BENCH_SCALE=${scale}), load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  console.log(
    'Verdicts use lines per CPU-second of the whole contender process (I/O threads included), which a busy shared machine distorts less than the wall clock; wall-clock figures are shown next to them.',
  );
  const ok: boolean[] = [];
  const seconds: string[] = [];
  for (const [name, table] of Object.entries(TABLES)) {
    if (asked.length && !asked.includes(name)) continue;
    const t0 = performance.now();
    await table(ok);
    seconds.push(`${name} ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`\nseconds per table: ${seconds.join(', ')}`);

  console.log(
    `\n${ok.filter(Boolean).length}/${ok.length} targets met by the measured ratios (a verdict on a busy machine reads UNRELIABLE whatever the ratio)`,
  );
  verdictSummary();
}

await main();
