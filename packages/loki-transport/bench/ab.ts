// Two builds of ours, A/B in the same run: the steady state at an offered rate,
// rounds interleaved (A, B, A, B, ...), with pino to /dev/null and the
// parse-only floor once per round. Process CPU per delivered line, every thread.
//   npx tsx bench/ab.ts <dir of build A> <dir of build B> [rounds] [seconds]   (a dir holds index.js)
// BENCH_AB_VARIANT=equal for the equalised settings; BENCH_AB_RATE (default 20000).
import path from 'node:path';
import { machineLine, median, printTable } from '@pactown/bench';
import type { Variant } from './contenders.mjs';
import { runSteady, type SteadyResult } from './run.js';

const [a, b] = process.argv.slice(2, 4).map((d) => path.resolve(d!, 'index.js'));
if (!a || !b) throw new Error('usage: bench/ab.ts <build A dir> <build B dir> [rounds] [seconds]');
const ROUNDS = Number(process.argv[4] ?? 3);
const SECONDS = Number(process.argv[5] ?? 10);
const RATE = Number(process.env.BENCH_AB_RATE ?? 20_000);
const VARIANT = (process.env.BENCH_AB_VARIANT ?? 'defaults') as Variant;

const perLine = (r: SteadyResult) => (r.cpuMs * 1000) / Math.max(1, r.delivered);
const runs: Record<string, SteadyResult[]> = { A: [], B: [], devnull: [], 'parse-only': [] };
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
  for (const k of [...order, 'devnull', 'parse-only']) {
    if (k === 'A' || k === 'B') process.env.BENCH_OURS_TARGET = k === 'A' ? a : b;
    const res = await runSteady(k === 'A' || k === 'B' ? 'ours' : (k as 'devnull'), VARIANT, RATE, SECONDS);
    runs[k]!.push(res);
    console.log(
      `round ${r + 1} ${k}: ${perLine(res).toFixed(2)} µs/line, ${res.bodies} requests, p99 ${res.p99?.toFixed(0)} ms`,
    );
  }
}
delete process.env.BENCH_OURS_TARGET;
const devnull = median(runs.devnull!.map(perLine));
console.log(machineLine());
printTable(
  `A/B: ${RATE} lines/s for ${SECONDS} s, ${VARIANT}, median of ${ROUNDS} interleaved rounds`,
  ['contender', 'CPU µs/line', 'minus /dev/null', 'each round', 'requests', 'p99 ms', 'delivered (worst)'],
  Object.entries(runs).map(([k, rs]) => [
    k,
    median(rs.map(perLine)).toFixed(2),
    (median(rs.map(perLine)) - devnull).toFixed(2),
    rs.map((x) => perLine(x).toFixed(2)).join(' '),
    median(rs.map((x) => x.bodies)).toFixed(0),
    Number.isNaN(rs[0]!.p99) ? '-' : median(rs.map((x) => x.p99)).toFixed(0),
    `${Math.min(...rs.map((x) => x.delivered))} / ${rs[0]!.lines}`,
  ]),
);
