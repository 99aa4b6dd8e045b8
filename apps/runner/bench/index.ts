import { machineLine, verdictSummary } from '@pactown/bench';
import { benchConcurrentRuns } from './concurrent-runs.js';
import { benchStreaming } from './streaming.js';

// BENCH_SCALE scales the streaming duration (0.1 = 3 s); the run counts stay fixed.
const scale = Number(process.env.BENCH_SCALE ?? 1);
if (!(scale > 0)) throw new TypeError(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

console.log(
  `# @pactown/example-runner benchmarks\n\n${machineLine()}\nCommand: npx pnpm@10.34.8 bench${scale !== 1 ? ` (BENCH_SCALE=${scale})` : ''}`,
);
const runs = await benchConcurrentRuns(20, rounds);
const streaming = await benchStreaming(10, 1000, Math.max(1, Math.round(30 * scale)));
verdictSummary();
process.exitCode = runs && streaming ? 0 : 1;
