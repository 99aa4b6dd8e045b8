// Cost of masking captured output, for one kind of line per process.
// Usage: tsx bench/masking-one.ts <case> <MiB per round> <rounds>
// Reports {"case": ..., "nsPerLine": <median>, "mibPerCpuSecond": <median>, "roundsNsPerLine": [...]}
// as one JSON line on stdout (the harness's report protocol).
//
// What a capture does with each chunk read from a pipe: one check over the
// whole chunk (`mayNeedRedaction`), and the line-by-line masker only when the
// check says a line may change. Time is the process's CPU time, which a busy
// shared machine distorts far less than the wall clock.
import { median } from '@pactown/bench';
import { writeReport } from '@pactown/bench/children';
import { createLineMasker, createRedactor } from '../src/index.js';
import { MASKING_CASES, type MaskingCase } from './masking-cases.js';

const CHUNK_BYTES = 64 * 1024;

function chunkOf(line: string): string {
  const lines = Math.max(1, Math.floor(CHUNK_BYTES / (line.length + 1)));
  return `${Array(lines).fill(line).join('\n')}\n`;
}

/** CPU nanoseconds to mask `chunks` chunks as a capture would. */
function round(chunk: string, chunks: number): number {
  const redactor = createRedactor();
  const masker = createLineMasker(redactor);
  let kept = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < chunks; i++) kept += masker.mayNeedRedaction(chunk) ? masker.write(chunk).length : chunk.length;
  const cpu = process.cpuUsage(c0);
  if (kept < chunk.length * chunks * 0.5) throw new Error('masking lost text');
  return (cpu.user + cpu.system) * 1000;
}

async function main(): Promise<void> {
  const [name, mibArg, roundsArg] = process.argv.slice(2);
  const line = MASKING_CASES[name as MaskingCase];
  if (line === undefined)
    throw new Error(`unknown case ${String(name)}; expected one of ${Object.keys(MASKING_CASES).join(', ')}`);
  const chunk = chunkOf(line);
  const linesPerChunk = chunk.split('\n').length - 1;
  const chunks = Math.max(1, Math.round((Number(mibArg ?? 16) * 1024 * 1024) / chunk.length));
  const rounds = Number(roundsArg ?? 5);
  round(chunk, Math.max(1, chunks >> 2)); // warm-up
  const ns: number[] = [];
  for (let i = 0; i < rounds; i++) ns.push(round(chunk, chunks));
  const perRound = median(ns);
  await writeReport({
    case: name,
    lines: chunks * linesPerChunk,
    nsPerLine: perRound / (chunks * linesPerChunk),
    mibPerCpuSecond: (chunk.length * chunks) / (1024 * 1024) / (perRound / 1e9),
    roundsNsPerLine: ns.map((n) => n / (chunks * linesPerChunk)),
  });
  process.exit(0);
}

await main();
