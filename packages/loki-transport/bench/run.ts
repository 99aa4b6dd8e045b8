// Starts the sink and one shipper per measurement (each its own process), and
// turns the sink's stored bodies into numbers once the shipper is done.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { percentile, reportOf, stopChild, track } from '@pactown/bench';
import { BATCH_SECONDS, type Kind, type Variant } from './contenders.mjs';
import { deliveries, readDump } from './decode.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const now = () => performance.timeOrigin + performance.now();
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loki-bench-'));
process.once('exit', () => fs.rmSync(workDir, { recursive: true, force: true }));

// A contender reports one JSON line on stdout (see shipper.mjs); `reportOf` takes it whether the
// contender exits right after or stays alive, and `track` kills every child when the harness
// exits, throws or is interrupted, so no sink or shipper outlives a run.
const firstLine = reportOf;
const stop = stopChild;

/** CPU (user + system, every thread) a process has used, in ms, from /proc. */
function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

interface Sink {
  url: string;
  stats(): Promise<{ bodies: number; bytes: number; lastAt: number; now: number }>;
  /** Stops the sink and returns what arrived of lines 0..expected-1. */
  collect(expected: number): Promise<ReturnType<typeof deliveries>>;
  /** Stops the sink without collecting (after an error). */
  stop(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
  const child = track(spawn(process.execPath, [path.join(here, 'sink.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let port: number;
  try {
    ({ port } = (await firstLine(child, 'sink')) as { port: number });
  } catch (e) {
    await stop(child);
    throw e;
  }
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    stop: () => stop(child),
    stats: async () => (await fetch(`${url}/bench/stats`)).json() as Promise<any>,
    collect: async (expected) => {
      const file = path.join(workDir, `dump-${process.hrtime.bigint()}.bin`);
      await (await fetch(`${url}/bench/dump?file=${encodeURIComponent(file)}`, { method: 'POST' })).json();
      await stop(child);
      const d = deliveries(readDump(file), expected);
      fs.rmSync(file, { force: true });
      return d;
    },
  };
}

function shipper(job: Record<string, unknown>, nodeArgs: string[] = []): ChildProcess {
  // Plain node: no loader of the harness inside the contender's process.
  return track(
    spawn(process.execPath, [...nodeArgs, path.join(here, 'shipper.mjs'), JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: path.join(here, '..'),
    }),
  );
}

export interface BurstResult {
  kind: Kind;
  lines: number;
  delivered: number;
  duplicates: number;
  /** Lines the shipper added itself (its own counters report), not counted as delivered. */
  foreign: number;
  /** First log call to arrival of the body completing the set (ms; NaN if it never completed). */
  completeMs: number;
  /** First log call to the last body's arrival (ms). */
  lastMs: number;
  loopMs: number;
  mainCpuMs: number;
  bodies: number;
  bytes: number;
}

/**
 * Burst: `lines` lines in one loop. The shipper is stopped once no body has arrived for its
 * batch timer plus 1 s and its process is idle (or after `deadlineS`); the time comes from the decoded bodies.
 */
export async function runBurst(kind: Kind, variant: Variant, lines: number, deadlineS = 60): Promise<BurstResult> {
  if (kind === 'parse-only') {
    const child = shipper({ kind, variant, url: '', mode: 'burst', lines });
    const r = await firstLine(child, kind).finally(() => stop(child));
    return {
      kind,
      lines,
      delivered: lines,
      duplicates: 0,
      foreign: 0,
      completeMs: r.parsedAt - r.t0,
      lastMs: r.parsedAt - r.t0,
      loopMs: r.loopMs,
      mainCpuMs: r.mainCpuMs,
      bodies: 0,
      bytes: 0,
    };
  }
  const sink = await startSink();
  let child: ChildProcess | undefined;
  try {
    child = shipper({ kind, variant, url: sink.url, mode: 'burst', lines });
    const r = await firstLine(child, kind);
    // Done when no body has arrived for the batch timer + 1 s and the shipper's process has
    // been idle (under 5% of a core) as long: a worker still busy with its lines is never cut off.
    const quietMs = BATCH_SECONDS[variant][kind] * 1000 + 1000;
    const deadline = now() + deadlineS * 1000;
    const cpu: Array<[number, number]> = [];
    for (;;) {
      await new Promise((res) => setTimeout(res, 200));
      const s = await sink.stats();
      const t = now();
      cpu.push([t, processCpuMs(child.pid!)]);
      const since = s.now - Math.max(s.lastAt, r.t0 + r.loopMs);
      const windowStart = cpu.find(([at]) => at >= t - quietMs);
      const idle =
        windowStart !== undefined && t - cpu[0]![0] >= quietMs && cpu.at(-1)![1] - windowStart[1] < 0.05 * quietMs;
      if ((since >= quietMs && idle) || t >= deadline) break;
    }
    await stop(child);
    const d = await sink.collect(lines);
    return {
      kind,
      lines,
      delivered: d.delivered,
      duplicates: d.duplicates,
      foreign: d.foreign,
      completeMs: d.completeAt - r.t0,
      lastMs: d.lastAt - r.t0,
      loopMs: r.loopMs,
      mainCpuMs: r.mainCpuMs,
      bodies: d.bodies,
      bytes: d.bytes,
    };
  } finally {
    if (child) await stop(child);
    await sink.stop();
  }
}

export interface SteadyResult {
  kind: Kind;
  rate: number;
  seconds: number;
  lines: number;
  delivered: number;
  duplicates: number;
  /** Lines the shipper added itself (its own counters report), not counted as delivered. */
  foreign: number;
  /** Process CPU (all threads) from the first log call until the logger had ended (ms). */
  cpuMs: number;
  /** CPU of the logging (main) thread while logging (ms). */
  mainCpuMs: number;
  /** How far behind the offered schedule the producer finished (ms). */
  behindMs: number;
  bodies: number;
  bytes: number;
  /** Delivery latency (ms) of every delivered line, log call to arrival. */
  p50: number;
  p99: number;
  max: number;
  /** p99 latency (ms) of lines logged between 50% and 90% of the window: does the lag grow? */
  lateP99: number;
}

/**
 * Steady state: `rate` lines/s for `seconds` s; the shipper then waits its batch timer + 1 s
 * before its logger is ended (flushed) and the process exits.
 */
export async function runSteady(
  kind: Kind,
  variant: Variant,
  rate: number,
  seconds: number,
  nodeArgs: string[] = [],
): Promise<SteadyResult> {
  const total = Math.round(rate * seconds);
  const sink = kind === 'devnull' || kind === 'parse-only' ? undefined : await startSink();
  const settleMs = sink ? (BATCH_SECONDS[variant][kind] + 1) * 1000 : 0;
  let r: any;
  try {
    const child = shipper({ kind, variant, url: sink?.url ?? '', mode: 'steady', rate, seconds, settleMs }, nodeArgs);
    try {
      r = await firstLine(child, kind);
      // The contender exits by itself once its logger has ended; its exit status must be 0.
      if (child.exitCode === null && child.signalCode === null) await new Promise((res) => child.once('exit', res));
      if (child.exitCode !== 0)
        throw new Error(`${kind} exited (${child.exitCode ?? child.signalCode}) after reporting`);
    } finally {
      await stop(child);
    }
  } catch (e) {
    await sink?.stop();
    throw e;
  }
  const base = { kind, rate, seconds, lines: total, cpuMs: r.cpuMs, mainCpuMs: r.mainCpuMs, behindMs: r.behindMs };
  if (!sink)
    return {
      ...base,
      delivered: total,
      duplicates: 0,
      foreign: 0,
      bodies: 0,
      bytes: 0,
      p50: Number.NaN,
      p99: Number.NaN,
      max: Number.NaN,
      lateP99: Number.NaN,
    };
  const d = await sink.collect(total).finally(() => sink.stop());
  // The log-call time of each line: the time of the tick that logged it.
  const ticks = r.ticks as number[];
  const lat: number[] = [];
  const late: number[] = [];
  let max = 0;
  for (let k = 0; k < ticks.length; k += 2) {
    const from = ticks[k]!;
    const to = k + 2 < ticks.length ? ticks[k + 2]! : total;
    const rel = ticks[k + 1]!;
    const calledAt = r.t0 + rel;
    for (let i = from; i < to; i++) {
      const at = d.arrival[i]!;
      if (Number.isNaN(at)) continue;
      const ms = at - calledAt;
      if (ms > max) max = ms;
      lat.push(ms);
      if (rel >= seconds * 500 && rel <= seconds * 900) late.push(ms);
    }
  }
  return {
    ...base,
    delivered: d.delivered,
    duplicates: d.duplicates,
    foreign: d.foreign,
    bodies: d.bodies,
    bytes: d.bytes,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    max,
    lateP99: percentile(late, 99),
  };
}
