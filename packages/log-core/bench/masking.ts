// What masking costs a capture, by kind of line: the target is that a line
// with `key=value` syntax but no secret costs at most 1.5x a plain line.
// Each case runs in its own fresh process (no case inherits another's JIT
// state), the order alternating between rounds; the result is the median
// over the processes, and the verdict reads UNRELIABLE on a busy machine.
// Usage: tsx bench/masking.ts (BENCH_SCALE and BENCH_ROUNDS as for the other benchmarks)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machineLine, median, printTable, verdict } from '@pactown/bench';
import { MASKING_CASES, type MaskingCase } from './masking-cases.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PROCESSES = 6;

export interface MaskingResult {
  nsPerLine: Record<MaskingCase, number>;
  mibPerCpuSecond: Record<MaskingCase, number>;
}

/** Runs every case in `PROCESSES` fresh processes each, interleaved; medians per case. */
export function maskingCosts(mib = Math.max(1, Math.round(16 * scale))): MaskingResult {
  const script = fileURLToPath(new URL('./masking-one.ts', import.meta.url));
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const names = Object.keys(MASKING_CASES) as MaskingCase[];
  const ns = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<MaskingCase, number[]>;
  const mibs = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<MaskingCase, number[]>;
  for (let p = 0; p < PROCESSES; p++) {
    const order = names.map((_, i) => names[(i + p) % names.length]!);
    for (const name of p % 2 ? order.reverse() : order) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', script, name, String(mib), String(ROUNDS)], {
        cwd,
        encoding: 'utf8',
      });
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as { nsPerLine: number; mibPerCpuSecond: number };
      ns[name].push(r.nsPerLine);
      mibs[name].push(r.mibPerCpuSecond);
    }
  }
  const med = (m: Record<MaskingCase, number[]>) =>
    Object.fromEntries(names.map((n) => [n, median(m[n])])) as Record<MaskingCase, number>;
  return { nsPerLine: med(ns), mibPerCpuSecond: med(mibs) };
}

/** Prints the table and the verdict; returns whether the target is met. */
export function reportMasking(r: MaskingResult): boolean {
  const plain = r.nsPerLine.plain;
  printTable(
    `masking captured output, 64 KiB chunks (CPU time; each case in its own process, median of ${PROCESSES} processes)`,
    ['line', 'ns/line', 'MiB/CPU-s', 'vs plain'],
    (Object.keys(MASKING_CASES) as MaskingCase[]).map((n) => [
      n,
      r.nsPerLine[n],
      r.mibPerCpuSecond[n],
      `${(r.nsPerLine[n] / plain).toFixed(2)}x`,
    ]),
  );
  const ratio = r.nsPerLine['key=value'] / plain;
  verdict(
    'key=value line / plain line, masking cost (CPU)',
    ratio,
    { atMost: 1.5 },
    `${r.nsPerLine['key=value'].toFixed(0)} vs ${plain.toFixed(0)} ns/line`,
  );
  verdict('coloured line / plain line, masking cost (CPU, informative)', r.nsPerLine.coloured / plain, { atMost: 1.5 });
  return ratio <= 1.5;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`log-core masking benchmark: ${machineLine()}`);
  reportMasking(maskingCosts());
}
