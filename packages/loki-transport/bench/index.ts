// The Loki shipping race: ours through pino's worker transport, pino-loki through
// pino, winston-loki through winston; each in its own process, one sink process
// that only stores bodies and answers 204, every body decoded after the run.
//
//   npx tsx bench/index.ts [burst] [steady] [steady-equal] [latency] [capacity]   (default: all, then the targets)
//   BENCH_SCALE=0.1 shrinks lines and durations; BENCH_ROUNDS sets the rounds (default 3; the steady
//   tables 2, or BENCH_STEADY_ROUNDS).
import {
  commandLine,
  describeState,
  judge,
  lastVerdictState,
  machineLine,
  printTable,
  verdictSummary,
} from '@pactown/bench';
import { type BurstTable, burstRatio, burstTable, SHIPPERS } from './burst.js';
import { type CapacityTable, capacityTable } from './capacity.js';
import type { SteadyResult } from './run.js';
import { overhead, type SteadyTable, steadyTable } from './steady.js';
import { settings } from './contenders.mjs';
import { normalizeOptions } from '../src/options.js';

/** Whether two option sets of ours come to the same settings once the defaults are filled in. */
function sameOptions(a: object, b: object): boolean {
  const url = 'http://127.0.0.1:1';
  return JSON.stringify(normalizeOptions({ url, ...a })) === JSON.stringify(normalizeOptions({ url, ...b }));
}

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
if (!(SCALE > 0)) throw new TypeError(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
// The 20 s steady tables take about 100 s a round: two rounds each keep `pnpm bench` near 15 minutes.
const STEADY_ROUNDS = Number(process.env.BENCH_STEADY_ROUNDS ?? process.env.BENCH_ROUNDS ?? 2);
const BURST = Math.max(1000, Math.round(100_000 * SCALE));
const SECONDS = Math.max(2, Math.round(20 * SCALE));
const RATE = 20_000;
const SLOW_RATE = 1_000;
const SLOW_SECONDS = Math.max(5, Math.round(10 * SCALE));
const CAPACITY_START = Number(process.env.BENCH_CAPACITY_START ?? 20_000);
/** pino-loki steps until one fails (its capacity must be bounded for the ratio to be). */
const CAPACITY_STEPS = Number(process.env.BENCH_CAPACITY_STEPS || 6);
/**
 * Ours needs only show the target (twice pino-loki's capacity) and how far above it holds: the
 * step at the target and one above by default, each 20 s; more steps only narrow a figure that
 * is already a PASS or a FAIL (BENCH_CAPACITY_OURS_STEPS=6 to find it within x1.5).
 */
const OURS_CAPACITY_STEPS = Number(process.env.BENCH_CAPACITY_OURS_STEPS || 2);

const known = ['burst', 'steady', 'steady-equal', 'latency', 'capacity'];
const asked = process.argv.slice(2);
for (const a of asked) {
  if (!known.includes(a)) {
    console.error(`unknown table '${a}'; one or more of: ${known.join(', ')}`);
    process.exit(2);
  }
}
const want = (t: string) => asked.length === 0 || asked.includes(t);
const started = Date.now();

console.log(`# Loki shipping\n\n${machineLine()}`);
console.log(`Command: ${commandLine()}`);
console.log(
  `burst ${BURST} lines; steady ${RATE} lines/s for ${SECONDS} s; latency at ${SLOW_RATE} lines/s for ${SLOW_SECONDS} s; capacity steps of ${SECONDS} s from ${CAPACITY_START} lines/s; ${ROUNDS} rounds (steady tables ${STEADY_ROUNDS})`,
);

let burstD: BurstTable | undefined;
let burstE: BurstTable | undefined;
let steady: SteadyTable | undefined;
let steadyE: SteadyTable | undefined;
let slow: SteadyTable | undefined;
let cap: CapacityTable | undefined;
if (want('burst')) {
  burstD = await burstTable('defaults', BURST, ROUNDS);
  burstE = await burstTable('equal', BURST, ROUNDS, false);
}
if (want('steady')) steady = await steadyTable('defaults', [...SHIPPERS, 'devnull'], RATE, SECONDS, STEADY_ROUNDS);
// The same rate with every batch timer at 1 s and no line cap: per delivered line, pino-loki's
// defaults (a 10,000-line buffer per 5 s) would otherwise divide its CPU by the lines it dropped.
if (want('steady-equal')) {
  const floor = steady ? { cpu: steady.cpu.devnull!, main: steady.main.devnull! } : undefined;
  // Ours with the equalised settings is ours with its defaults (a 1 s batch timer, no line cap):
  // its runs of the defaults table stand in the equalised one rather than being run again.
  const oursSame = steady !== undefined && sameOptions(settings('ours', 'defaults'), settings('ours', 'equal'));
  steadyE = await steadyTable(
    'equal',
    floor ? SHIPPERS : [...SHIPPERS, 'devnull'],
    RATE,
    SECONDS,
    STEADY_ROUNDS,
    floor,
    oursSame ? { ours: { runs: steady!.runs.ours!, from: 'the defaults table' } } : {},
  );
}
// The 1,000 lines/s target is ours alone (the peers' latency is their batch timer, shown in the steady table).
if (want('latency')) slow = await steadyTable('defaults', ['ours'], SLOW_RATE, SLOW_SECONDS, ROUNDS);
// The equalised steady table's runs at 20,000 lines/s for the same 20 s are capacity's first step when it starts there.
const firstStep: Record<string, SteadyResult[]> =
  steadyE && CAPACITY_START === RATE ? { ours: steadyE.runs.ours!, 'pino-loki': steadyE.runs['pino-loki']! } : {};
// pino-loki first; ours then begins at twice pino-loki's capacity (the target) and steps up from
// there, or down by x1.5 if that is not sustained: the same search, without the steps far below
// the target that would only use the budget.
if (want('capacity')) {
  console.log(
    `capacity: pino-loki's steps begin at ${CAPACITY_START} lines/s (at most ${CAPACITY_STEPS}); ours begin at twice pino-loki's capacity (the target), up by x1.5 while sustained (at most ${OURS_CAPACITY_STEPS} steps), down by x1.5 if the first is not`,
  );
  cap = await capacityTable(
    'equal',
    ['pino-loki', 'ours'],
    CAPACITY_START,
    SECONDS,
    undefined,
    firstStep,
    (kind, found) => (kind === 'ours' && found['pino-loki']! > 0 ? 2 * found['pino-loki']! : CAPACITY_START),
    (kind) => (kind === 'ours' ? OURS_CAPACITY_STEPS : CAPACITY_STEPS),
  );
}

// The targets of the issue, each with the raw numbers its ratio comes from.
const rows: Array<Array<string | number>> = [];
const row = (measure: string, target: string, value: number, raw: string, t: { atLeast?: number; atMost?: number }) => {
  const unit = target.endsWith('ms') ? ' ms' : 'x';
  rows.push([
    measure,
    target,
    Number.isFinite(value) ? value.toFixed(2) : 'n/a',
    raw,
    judge(value, t, measure, raw, unit),
  ]);
};
if (burstD && burstE) {
  const d = burstRatio(burstD);
  const e = burstRatio(burstE);
  row('burst vs the best peer, defaults', '>= 1.5x', d.ratio, d.raw, { atLeast: 1.5 });
  row('burst vs the best peer, equalised', '>= 1.5x', e.ratio, e.raw, { atLeast: 1.5 });
}
for (const [t, how] of [
  [steady, 'defaults'],
  [steadyE, 'equalised'],
] as const) {
  if (!t) continue;
  const o = overhead(t, 'ours');
  for (const peer of ['pino-loki', 'winston-loki']) {
    const p = overhead(t, peer);
    row(
      `shipping overhead per delivered line vs ${peer}, ${how}`,
      '<= 0.5x',
      o / p,
      `ours ${o.toFixed(2)} µs / ${peer} ${p.toFixed(2)} µs (pino to /dev/null ${t.cpu.devnull!.toFixed(2)} µs; ${t.delivered[peer]} of ${RATE * SECONDS} delivered)`,
      { atMost: 0.5 },
    );
  }
}
if (steady) {
  row(
    `p99 latency at ${RATE} lines/s (ms)`,
    '<= 250 ms',
    steady.p99.ours!,
    `p50 ${steady.p50.ours!.toFixed(0)} ms; ${steady.delivered.ours} of ${RATE * SECONDS} delivered`,
    { atMost: 250 },
  );
  const bl = steady.bytesPerLine;
  row(
    'bytes on the wire per line vs pino-loki',
    '<= 0.3x',
    bl.ours! / bl['pino-loki']!,
    `ours ${bl.ours!.toFixed(1)} B / pino-loki ${bl['pino-loki']!.toFixed(1)} B`,
    { atMost: 0.3 },
  );
  const m = steady.main;
  row(
    'logging-thread CPU vs pino to /dev/null',
    '<= 1.2x',
    m.ours! / m.devnull!,
    `ours ${m.ours!.toFixed(2)} µs / devnull ${m.devnull!.toFixed(2)} µs per line`,
    { atMost: 1.2 },
  );
}
if (slow)
  row(
    `p99 latency at ${SLOW_RATE} lines/s (ms)`,
    '<= 250 ms',
    slow.p99.ours!,
    `p50 ${slow.p50.ours!.toFixed(0)} ms; ${slow.delivered.ours} of ${SLOW_RATE * SLOW_SECONDS} delivered`,
    { atMost: 250 },
  );
if (cap) {
  const c = cap.capacity;
  row(
    'capacity vs pino-loki (equalised)',
    '>= 2x',
    c.ours! / Math.max(1, c['pino-loki']!),
    `ours ${cap.bounded.ours ? '' : '>= '}${c.ours} lines/s / pino-loki ${cap.bounded['pino-loki'] ? '' : '>= '}${c['pino-loki']} lines/s${cap.bounded['pino-loki'] ? '' : " (pino-loki's capacity not reached: the ratio is not bounded)"}`,
    { atLeast: 2 },
  );
}
if (rows.length) {
  printTable('Targets (issue 20)', ['measure', 'target', 'measured', 'raw numbers', 'verdict'], rows);
  const state = lastVerdictState();
  if (state && !state.quiet) console.log(`\nUNRELIABLE: ${state.reasons.join('; ')}`);
  else if (state) console.log(`\nmachine at the verdicts: ${describeState(state)}`);
}
verdictSummary();
console.log(`elapsed ${((Date.now() - started) / 1000).toFixed(0)} s`);
