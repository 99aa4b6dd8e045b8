// Capacity: the offered rate is stepped up (×1.5) until a step is not sustained:
// every line delivered, the producer on schedule, and the lag bounded.
import { printSettings, printTable, waitForQuiet } from '@pactown/bench';
import { describe, type Kind, type Variant } from './contenders.mjs';
import { runSteady, type SteadyResult } from './run.js';

/** p99 latency (ms) of lines logged between 50% and 90% of a step above which the lag counts as growing. */
export const LAG_BOUND_MS = 3000;
/** A producer this far behind its schedule at the end did not offer the rate. */
const BEHIND_MS = 250;
const FACTOR = 1.5;

function sustained(r: SteadyResult): boolean {
  return r.delivered === r.lines && r.behindMs <= BEHIND_MS && r.lateP99 <= LAG_BOUND_MS;
}

export interface CapacityTable {
  variant: Variant;
  /** Highest sustained rate per shipper (0 if none was). */
  capacity: Record<string, number>;
  /** Whether a step above the capacity failed (false: the steps ran out first, the capacity is a lower bound). */
  bounded: Record<string, boolean>;
  steps: Record<string, SteadyResult[]>;
}

/**
 * `known`: runs already made at `start` with the same settings and step length (the equalised
 * steady table's), taken as the first step instead of running it again; sustained only if
 * every one of them was.
 */
export async function capacityTable(
  variant: Variant,
  kinds: Kind[],
  start: number,
  seconds: number,
  maxSteps = Number(process.env.BENCH_CAPACITY_STEPS || 6),
  known: Record<string, SteadyResult[]> = {},
  /** Where a shipper's steps begin, given the capacities found so far (default: `start`). */
  startOf?: (kind: Kind, found: Record<string, number>) => number,
  /** Steps a shipper may take at most (default: `maxSteps`). */
  stepsOf?: (kind: Kind) => number,
): Promise<CapacityTable> {
  const capacity: Record<string, number> = {};
  const bounded: Record<string, boolean> = {};
  const steps: Record<string, SteadyResult[]> = {};
  const limits: Record<string, number> = {};
  const rows: Array<Array<string | number>> = [];
  for (const kind of kinds) {
    steps[kind] = [];
    let rate = startOf?.(kind, capacity) ?? start;
    const first = rate;
    let best = 0;
    let lowestFail = Number.POSITIVE_INFINITY;
    const limit = stepsOf?.(kind) ?? maxSteps;
    limits[kind] = limit;
    for (let step = 0; step < limit; step++) {
      const reused = step === 0 && first === start && known[kind]?.length ? known[kind] : undefined;
      let r: SteadyResult;
      let ok: boolean;
      if (reused) {
        // The worst of the runs is the step's row.
        r = reused.find((x) => !sustained(x)) ?? reused.reduce((a, b) => (b.lateP99 > a.lateP99 ? b : a));
        ok = reused.every(sustained);
      } else {
        await waitForQuiet();
        r = await runSteady(kind, variant, Math.round(rate), seconds);
        ok = sustained(r);
      }
      steps[kind].push(r);
      rows.push([
        reused ? `${kind} (the equalised steady table's ${reused.length} run(s))` : kind,
        Math.round(rate),
        `${r.delivered} / ${r.lines}`,
        Math.round(r.behindMs),
        Math.round(r.lateP99),
        Math.round(r.max),
        ok ? 'sustained' : 'not sustained',
      ]);
      if (ok) best = Math.max(best, rate);
      else lowestFail = Math.min(lowestFail, rate);
      // Up after a sustained step, down after a failed one, until the two meet.
      const next = ok ? rate * FACTOR : rate / FACTOR;
      if ((ok && next >= lowestFail * 0.999) || (!ok && best > 0)) break;
      rate = next;
    }
    capacity[kind] = Math.round(best);
    bounded[kind] = Number.isFinite(lowestFail);
  }
  printTable(
    `Capacity, ${variant === 'defaults' ? "each shipper's defaults" : 'equalised settings (1 s batch timer, no line cap)'}: ${seconds} s per step, rate x${FACTOR} per step`,
    [
      'shipper',
      'offered lines/s',
      'delivered / logged',
      'producer behind (ms)',
      'p99 lag 50-90% of the step (ms)',
      'max lag (ms)',
      'step',
    ],
    rows,
  );
  printSettings(Object.fromEntries(kinds.map((k) => [k, describe(k, variant)])));
  console.log(
    `(sustained: every line delivered, producer <= ${BEHIND_MS} ms behind its schedule, p99 lag of lines logged in 50-90% of the step <= ${LAG_BOUND_MS} ms. Capacity is the highest sustained step, a lower bound within x${FACTOR}.)`,
  );
  for (const k of kinds)
    console.log(
      `capacity ${k}: ${bounded[k] ? '' : 'at least '}${capacity[k]!.toLocaleString('en-US')} lines/s${bounded[k] ? '' : ` (every one of its ${limits[k]} steps sustained: a lower bound)`}`,
    );
  return { variant, capacity, bounded, steps };
}
