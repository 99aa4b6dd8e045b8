// The soak (issue 15; not part of the test command or of `pnpm bench`): the app runs
// 10 services at 1,000 lines/s each for 10 minutes while the Loki receiver flaps
// (down 10 s every minute, a 429 storm, 5 s answers). Prints the lines produced
// and found in sandbox.log, at the receiver and on SSE, and the app's memory: RSS
// at the start, at warm-up end (the first quarter) and at the end, its trend after
// warm-up (MiB/min), and the heap, external memory, handles and Loki queue behind it.
//   npx tsx bench/soak.ts                 (10 minutes)
//   BENCH_SCALE=0.1 npx tsx bench/soak.ts (60 s in cycles of 20 s)
import { machineLine, verdictSummary } from '@pactown/bench';
import { benchStreaming } from './streaming.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
if (!(scale > 0)) throw new TypeError(`BENCH_SCALE must be a positive number, got ${process.env.BENCH_SCALE}`);
const seconds = Math.max(30, Math.round(600 * scale));
const cycleSeconds = Math.max(20, Math.round(60 * scale));
console.log(
  `# Soak: 10 services x 1,000 lines/s for ${seconds} s, receiver flapping every ${cycleSeconds} s\n\n${machineLine()}`,
);
console.log(`Command: ${scale !== 1 ? `BENCH_SCALE=${scale} ` : ''}npx tsx bench/soak.ts`);
const ok = await benchStreaming(10, 1000, seconds, { cycleSeconds });
verdictSummary();
process.exitCode = ok ? 0 : 1;
