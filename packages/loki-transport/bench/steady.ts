// Steady state: an offered rate for a fixed time. Process CPU per delivered
// line (every thread), the same for pino to /dev/null, delivery latency.
import { interleave, printSettings, printTable, range, summary, waitForQuiet } from '@pactown/bench';
import { describe, type Kind, type Variant } from './contenders.mjs';
import { runSteady, type SteadyResult } from './run.js';

export interface SteadyTable {
  variant: Variant;
  rate: number;
  runs: Record<string, SteadyResult[]>;
  /** Median µs of process CPU per delivered line. */
  cpu: Record<string, number>;
  /** Median µs of logging-thread CPU per logged line. */
  main: Record<string, number>;
  p99: Record<string, number>;
  p50: Record<string, number>;
  bytesPerLine: Record<string, number>;
  delivered: Record<string, number>;
}

const perLine = (r: SteadyResult) => (r.cpuMs * 1000) / Math.max(1, r.delivered);

/**
 * One steady-state table. `floor` gives pino-to-/dev/null's figures from another table of the same
 * run instead of measuring them again (they do not depend on any shipper's settings). `known`: a
 * contender's runs from another table of the same run at the same rate and length whose settings
 * are the same as this table's for it; they stand in its row instead of being run again.
 */
export async function steadyTable(
  variant: Variant,
  kinds: Kind[],
  rate: number,
  seconds: number,
  rounds: number,
  floor?: { cpu: number; main: number },
  known: Partial<Record<Kind, { runs: SteadyResult[]; from: string }>> = {},
): Promise<SteadyTable> {
  await waitForQuiet();
  const fresh = kinds.filter((k) => known[k] === undefined);
  const runs: Record<string, SteadyResult[]> = await interleave(fresh, rounds, (kind) =>
    runSteady(kind as Kind, variant, rate, seconds),
  );
  for (const k of kinds) if (known[k] !== undefined) runs[k] = known[k]!.runs;
  const t: SteadyTable = { variant, rate, runs, cpu: {}, main: {}, p99: {}, p50: {}, bytesPerLine: {}, delivered: {} };
  for (const k of kinds) {
    const r = runs[k]!;
    t.cpu[k] = summary(r.map(perLine)).median;
    t.main[k] = summary(r.map((x) => (x.mainCpuMs * 1000) / x.lines)).median;
    t.p50[k] = summary(r.map((x) => x.p50)).median;
    t.p99[k] = summary(r.map((x) => x.p99)).median;
    t.delivered[k] = Math.min(...r.map((x) => x.delivered));
    t.bytesPerLine[k] = summary(r.map((x) => x.bytes / Math.max(1, x.delivered))).median;
  }
  if (floor && t.cpu.devnull === undefined) {
    t.cpu.devnull = floor.cpu;
    t.main.devnull = floor.main;
  }
  const devnull = t.cpu.devnull;
  const shipping = (k: string) => kinds.includes(k as Kind) && k !== 'devnull' && k !== 'parse-only';
  printTable(
    `Steady state: ${rate.toLocaleString('en-US')} lines/s offered for ${seconds} s, ${variant === 'defaults' ? "each shipper's defaults" : 'equalised settings (1 s batch timer, no line cap)'}; median (min–max) of ${rounds} interleaved rounds`,
    [
      'contender',
      'lines delivered / logged (worst round)',
      'process CPU, all threads (ms)',
      'CPU µs per delivered line',
      'shipping overhead µs/line (minus pino to /dev/null)',
      'logging-thread CPU µs/line',
      'latency p50 (ms)',
      'latency p99 (ms)',
      'requests',
      'bytes/line',
      'producer behind schedule at end (ms)',
    ],
    kinds.map((k) => {
      const r = runs[k]!;
      return [
        k,
        `${t.delivered[k]} / ${r[0]!.lines}`,
        range(
          r.map((x) => x.cpuMs),
          0,
        ),
        range(r.map(perLine), 2),
        devnull === undefined || !shipping(k)
          ? '-'
          : range(
              r.map((x) => perLine(x) - devnull),
              2,
            ),
        range(
          r.map((x) => (x.mainCpuMs * 1000) / x.lines),
          2,
        ),
        shipping(k)
          ? range(
              r.map((x) => x.p50),
              0,
            )
          : '-',
        shipping(k)
          ? range(
              r.map((x) => x.p99),
              0,
            )
          : '-',
        shipping(k)
          ? range(
              r.map((x) => x.bodies),
              0,
            )
          : '-',
        shipping(k) ? t.bytesPerLine[k]!.toFixed(1) : '-',
        range(
          r.map((x) => x.behindMs),
          0,
        ),
      ];
    }),
  );
  printSettings(
    Object.fromEntries(
      kinds.map((k) => [k, `${describe(k, variant)}${known[k] ? ` (the same settings: ${known[k]!.from}'s runs)` : ''}`]),
    ),
  );
  const extra = kinds.filter((k) => runs[k]!.some((r) => r.foreign > 0));
  if (extra.length)
    console.log(
      `(lines a shipper added itself, e.g. its counters report, not counted as delivered: ${extra.map((k) => `${k} up to ${Math.max(...runs[k]!.map((r) => r.foreign))}`).join(', ')})`,
    );
  console.log(
    `(CPU: process.cpuUsage() of the contender's process, every thread, from the first log call until its logger had ended and flushed; per delivered line. Latency: log call to arrival of the body, every delivered line; after the window each shipper waits its batch timer + 1 s before its logger is ended, so lines leave by the shipper's own rules, not by the flush at exit. /dev/null CPU per line ${devnull === undefined ? 'not run' : `${devnull.toFixed(2)} µs${kinds.includes('devnull') ? '' : ', from the defaults table of this run'}`}.)`,
  );
  return t;
}

/** Shipping overhead (µs per delivered line above pino to /dev/null). */
export function overhead(t: SteadyTable, kind: string): number {
  return t.cpu[kind]! - t.cpu.devnull!;
}
