// Burst: 100,000 lines logged in one loop; time from the first log call to the
// arrival of the body that completes the set.
import { interleave, printSettings, printTable, range, summary, waitForQuiet } from '@pactown/bench';
import { describe, type Kind, type Variant } from './contenders.mjs';
import { type BurstResult, runBurst } from './run.js';

export const SHIPPERS: Kind[] = ['ours', 'pino-loki', 'winston-loki'];

export interface BurstTable {
  variant: Variant;
  lines: number;
  runs: Record<string, BurstResult[]>;
  /** Median completion time per shipper (ms; NaN when a round did not deliver every line). */
  ms: Record<string, number>;
}

/** `floor`: also run the parse-only transport (it has no settings: one table of a run is enough). */
export async function burstTable(variant: Variant, lines: number, rounds: number, floor = true): Promise<BurstTable> {
  await waitForQuiet();
  const kinds: Kind[] = floor ? [...SHIPPERS, 'parse-only'] : [...SHIPPERS];
  const runs = await interleave(kinds, rounds, (kind) => runBurst(kind as Kind, variant, lines));
  const ms: Record<string, number> = {};
  const rows = kinds.map((kind) => {
    const r = runs[kind]!;
    const complete = r.every((x) => x.delivered === lines);
    ms[kind] = complete ? summary(r.map((x) => x.completeMs)).median : Number.NaN;
    const delivered = Math.min(...r.map((x) => x.delivered));
    return [
      kind,
      complete
        ? range(
            r.map((x) => x.completeMs),
            0,
          )
        : `incomplete (last body at ${range(
            r.map((x) => x.lastMs),
            0,
          )})`,
      complete ? Math.round(lines / (ms[kind]! / 1000)) : 'n/a',
      `${delivered}${r.some((x) => x.duplicates) ? ` (+${Math.max(...r.map((x) => x.duplicates))} dup)` : ''}`,
      range(
        r.map((x) => x.loopMs),
        0,
      ),
      kind === 'parse-only'
        ? '-'
        : range(
            r.map((x) => x.bodies),
            0,
          ),
      kind === 'parse-only' ? '-' : (summary(r.map((x) => x.bytes)).median / Math.max(1, delivered)).toFixed(1),
    ];
  });
  printTable(
    `Burst of ${lines.toLocaleString('en-US')} lines, ${variant === 'defaults' ? "each shipper's defaults" : 'equalised settings (1 s batch timer, no line cap)'}; median (min–max) of ${rounds} interleaved rounds`,
    [
      'shipper',
      'first call -> completing body (ms)',
      'lines/s',
      'distinct lines delivered (worst round)',
      'log-call loop (ms)',
      'requests',
      'bytes/line',
    ],
    rows,
  );
  printSettings(Object.fromEntries(kinds.map((k) => [k, describe(k, variant)])));
  const extra = kinds.filter((k) => runs[k]!.some((r) => r.foreign > 0));
  if (extra.length)
    console.log(
      `(lines a shipper added itself, e.g. its counters report, not counted as delivered: ${extra.map((k) => `${k} up to ${Math.max(...runs[k]!.map((r) => r.foreign))}`).join(', ')})`,
    );
  console.log(
    floor
      ? '(parse-only: time until its worker has parsed the last line; the floor of any pino worker transport.)'
      : '(parse-only, the floor of any pino worker transport, has no settings: see the first burst table of this run.)',
  );
  return { variant, lines, runs, ms };
}

/** ours / the best peer that delivered every line, with the raw numbers. */
export function burstRatio(t: BurstTable): { ratio: number; raw: string } {
  const peers = SHIPPERS.filter((k) => k !== 'ours' && Number.isFinite(t.ms[k]!));
  if (peers.length === 0 || !Number.isFinite(t.ms.ours!))
    return { ratio: Number.NaN, raw: `ours ${t.ms.ours} ms; no peer delivered all ${t.lines} lines` };
  const best = peers.reduce((a, b) => (t.ms[a]! <= t.ms[b]! ? a : b));
  return {
    ratio: t.ms[best]! / t.ms.ours!,
    raw: `${best} ${t.ms[best]!.toFixed(0)} ms / ours ${t.ms.ours!.toFixed(0)} ms`,
  };
}
