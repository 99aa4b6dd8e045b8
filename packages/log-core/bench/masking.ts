// What masking costs a capture, by kind of line: the target is that a line
// with `key=value` syntax but no secret costs at most 1.5x a plain line.
// Each case runs in a fresh process of its own (no case inherits another's JIT
// state; bench/masking-one.ts), rounds interleaved with the order rotating; the
// table shows the median with the min and max over the processes, and the
// verdict reads UNRELIABLE on a busy machine.
// Usage: tsx bench/masking.ts (BENCH_SCALE and BENCH_ROUNDS as for the other benchmarks)
import { fileURLToPath } from 'node:url';
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
import { MASKING_CASES, type MaskingCase } from './masking-cases.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
/** Processes per case (the rounds of the table). */
const PROCESSES = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
/** Timed rounds inside each process (its figure is their median). */
const INNER_ROUNDS = 5;

interface OneReport {
  lines: number;
  nsPerLine: number;
  mibPerCpuSecond: number;
  roundsNsPerLine: number[];
}

export interface MaskingResult {
  mib: number;
  processes: number;
  /** Every process's report, per case, in round order. */
  runs: Record<MaskingCase, OneReport[]>;
}

/**
 * MiB per timed round of a case: the line with a secret costs ten times a plain one, so it masks
 * a quarter as much (its figure is per line; the time budget of the whole run is what it saves).
 */
function mibOf(name: MaskingCase, mib: number): number {
  return name === 'secret' ? Math.max(1, Math.round(mib / 4)) : mib;
}

/** Runs every case in `processes` fresh processes each, rounds interleaved (the order rotating). */
export async function maskingCosts(
  mib = Math.max(1, Math.round(8 * scale)),
  processes = PROCESSES,
): Promise<MaskingResult> {
  if (Number(process.env.BENCH_WAIT_QUIET) > 0) await waitForQuiet();
  const names = Object.keys(MASKING_CASES) as MaskingCase[];
  const runs = await interleave(names, processes, (name) =>
    runChild<OneReport>(
      'masking-one.ts',
      [name, String(mibOf(name as MaskingCase, mib)), String(INNER_ROUNDS)],
      `masking case ${name}`,
    ),
  );
  return { mib, processes, runs: runs as Record<MaskingCase, OneReport[]> };
}

/** Prints the table, its settings and the verdicts; returns whether the target is met. */
export function reportMasking(r: MaskingResult): boolean {
  const names = Object.keys(MASKING_CASES) as MaskingCase[];
  const ns = (n: MaskingCase) => r.runs[n].map((x) => x.nsPerLine);
  const med = (n: MaskingCase) => median(ns(n));
  const plain = med('plain');
  printTable(
    `masking captured output, 64 KiB chunks (CPU time; each case in its own process; median (min–max) of ${r.processes} interleaved processes)`,
    ['line', 'ns/line', 'MiB/CPU-s', 'vs plain (medians)', 'lines per round'],
    names.map((n) => [
      n,
      range(ns(n)),
      range(r.runs[n].map((x) => x.mibPerCpuSecond)),
      `${(med(n) / plain).toFixed(2)}x`,
      r.runs[n][0]!.lines,
    ]),
  );
  printSettings({
    work: `${r.mib} MiB per timed round (the secret line ${mibOf('secret', r.mib)} MiB), ${INNER_ROUNDS} timed rounds after a warm-up of a quarter of that, per process; a process's figure is the median of its rounds`,
    masker:
      'createLineMasker(createRedactor()) with the default rules; each 64 KiB chunk: mayNeedRedaction(chunk), then masker.write(chunk) only when it answers true (what a capture does)',
    time: "process.cpuUsage() of the case's process around the timed rounds (user + system)",
    ...Object.fromEntries(names.map((n) => [`line ${n}`, JSON.stringify(MASKING_CASES[n])])),
  });
  const kv = med('key=value');
  const ratio = kv / plain;
  verdict(
    'key=value line / plain line, masking cost (CPU)',
    ratio,
    { atMost: 1.5 },
    `key=value ${kv.toFixed(0)} ns / plain ${plain.toFixed(0)} ns per line, medians of ${r.processes} processes`,
  );
  const coloured = med('coloured');
  verdict(
    'coloured line / plain line, masking cost (CPU, informative)',
    coloured / plain,
    { atMost: 1.5 },
    `coloured ${coloured.toFixed(0)} ns / plain ${plain.toFixed(0)} ns per line, medians of ${r.processes} processes`,
  );
  return ratio <= 1.5;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`log-core masking benchmark: ${machineLine()}`);
  reportMasking(await maskingCosts());
  verdictSummary();
}
