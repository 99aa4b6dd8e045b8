// One contender of the throughput benchmark, in a process of its own:
//   tsx bench/throughput-one.ts <contender> <file> <lines> <warm-up lines>
// Logs the warm-up lines to `<file>.warmup` (so the measured run finds its code optimised, as
// any long-running process would), then the measured lines to `<file>`, and reports one JSON
// line on stdout: {contender, lines, wallMs, cpuMs}. The window runs from creating the logger
// until its file is closed (holds every line); the CPU is the whole process's (every thread:
// pino's and winston's file writes, libuv's pool, the garbage collector). Nothing here counts
// or reads what was written: the harness does that after this process has exited.
import { writeReport } from '@pactown/bench/children';
import { CONTENDERS, type ContenderName } from './contenders.js';

async function main(): Promise<void> {
  const [name, file, linesArg, warmupArg] = process.argv.slice(2);
  const contender = CONTENDERS[name as ContenderName];
  if (!contender || !file)
    throw new Error(
      `usage: throughput-one.ts <contender> <file> <lines> <warm-up lines>; contenders: ${Object.keys(CONTENDERS).join(', ')}`,
    );
  const lines = Number(linesArg);
  const warmup = Number(warmupArg ?? 0);
  if (!Number.isInteger(lines) || lines < 1 || !Number.isInteger(warmup) || warmup < 0)
    throw new Error(`lines (${linesArg}) and warm-up lines (${warmupArg}) must be whole numbers`);
  const run = await contender.load();
  if (warmup > 0) await run(`${file}.warmup`, warmup);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await run(file, lines);
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  await writeReport({ contender: name, lines, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
  // Anything a library left scheduled is not part of the run.
  process.exit(0);
}

await main();
