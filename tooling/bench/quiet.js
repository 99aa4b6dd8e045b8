import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { calibrationLoop } from './calibrate.js';

// A verdict taken on a busy machine says more about the neighbours than about the code.
// Before each verdict the harness judges the machine by what *other* processes do:
//
// 1. the share of all CPU that processes outside the benchmark's own process tree used
//    during a short pause of the harness (the main signal), and during the measurement
//    since the previous check;
// 2. the 1-minute load average net of the benchmark's own part of it: the harness follows
//    the CPU its own process tree used and ages it like the kernel's load average (a
//    one-minute exponential decay), so its own contenders do not make the machine look busy;
// 3. a fixed calibration loop timed in a fresh process, against a reference measured the
//    same way at the start of the run (the median of several samples), with a tolerance
//    that grows with the spread the reference measured.

const cores = os.cpus().length || 1;
/** Highest 1-minute load average of other processes (net of the benchmark's own) that still counts as quiet. */
export const MAX_LOAD = envNumber('BENCH_MAX_LOAD', cores / 2);
/** Highest share of all CPU (0..1) other processes may use while the harness pauses. */
export const MAX_BUSY_SHARE = envNumber('BENCH_MAX_BUSY', 0.15);
/** Highest share of all CPU (0..1) other processes may use during a measurement (between two checks). */
export const MAX_RUN_SHARE = envNumber('BENCH_MAX_BUSY_RUN', 0.25);
/**
 * The least tolerance of the calibration loop against its reference; a noisy reference widens it.
 * 1.5x: on the quiet 2-core reference machine the loop ran 1.3x its start-of-run reference while
 * only the benchmark's own children (a sink, a contender winding down) were running, which the
 * other signals rightly do not count; two busy loops of another process slow it well past 1.5x
 * and are caught by the CPU share of other processes first.
 */
export const MAX_SLOWDOWN = envNumber('BENCH_MAX_SLOWDOWN', 1.5);
/** A reference whose samples spread more than this (robust relative deviation) was taken on a busy machine. */
const MAX_REFERENCE_SPREAD = 0.1;
const PAUSE_MS = envNumber('BENCH_QUIET_PAUSE_MS', 500);
const LOAD_TAU_S = 60;

const PROBE = fileURLToPath(new URL('./calibrate.js', import.meta.url));

/** A number from the environment, or `fallback` when the variable is unset, empty or not one. */
function envNumber(name, fallback) {
  const v = Number(process.env[name] || Number.NaN);
  return Number.isFinite(v) ? v : fallback;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms) {
  Atomics.wait(sleeper, 0, 0, ms);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Busy and total ticks of the whole machine, from /proc/stat (steal counts as busy: a neighbour VM). */
function systemTicks() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + (b || 0), 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/** ppid and CPU ticks (own + waited-for children) of one process, from /proc/<pid>/stat. */
function procStat(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU ticks used so far by the process tree under `root`: every live descendant's own and
 * reaped children's ticks. A process that ended and was waited for is in its parent's
 * children's ticks, so the sum only grows (a process orphaned to init leaves it: then it
 * counts as another's, the safe side).
 */
export function treeTicks(root = process.pid) {
  const stats = new Map();
  let names = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = procStat(name);
    if (s) stats.set(Number(name), s);
  }
  const children = new Map();
  for (const [pid, s] of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  let sum = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop();
    sum += stats.get(pid)?.ticks ?? 0;
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return sum;
}

function snapshot(root) {
  return { at: Date.now(), system: systemTicks(), own: treeTicks(root) };
}

/** Share of all CPU (0..1) that processes outside the tree used between two snapshots. */
function othersShare(a, b) {
  if (!a.system || !b.system || b.system.total <= a.system.total) return 0;
  const others = b.system.busy - a.system.busy - (b.own - a.own);
  return Math.min(1, Math.max(0, others / (b.system.total - a.system.total)));
}

/**
 * The benchmark's own part of the load average: its tree's CPU (in cores), aged with the load
 * average's one-minute decay. Between two snapshots the tree is taken to have run at its mean
 * rate. `BENCH_RUN_OWN_LOAD` with `BENCH_RUN_OWN_LOAD_AT` (ms since the epoch) carry the part of an
 * earlier benchmark of the same run (the root `pnpm bench` passes them on).
 */
export class OwnLoad {
  constructor(
    root = process.pid,
    seed = envNumber('BENCH_RUN_OWN_LOAD', 0),
    seedAt = envNumber('BENCH_RUN_OWN_LOAD_AT', 0),
  ) {
    this.root = root;
    this.last = snapshot(root);
    this.value = seed > 0 && seedAt > 0 ? seed * Math.exp(-Math.max(0, this.last.at - seedAt) / 1000 / LOAD_TAU_S) : 0;
  }
  /** Takes a snapshot now; returns the own load and the snapshot before it. */
  update(s = snapshot(this.root)) {
    const prev = this.last;
    const dt = (s.at - prev.at) / 1000;
    if (dt > 0) {
      const rate = (s.own - prev.own) / ticksPerSecond / dt;
      const k = Math.exp(-dt / LOAD_TAU_S);
      this.value = this.value * k + rate * (1 - k);
    }
    this.last = s;
    return { value: this.value, prev, now: s };
  }
}

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * Times the calibration loop in a fresh process: `samples` samples after two warm-up runs.
 * @returns {number[]} every sample in ms
 */
export function probe(samples = 7) {
  const out = execFileSync(process.execPath, [PROBE, String(samples), '2'], { encoding: 'utf8' });
  return JSON.parse(out.trim());
}

/** Median and robust relative spread (1.4826 x MAD / median) of samples. */
export function spreadOf(samples) {
  const m = median(samples);
  const mad = median(samples.map((x) => Math.abs(x - m)));
  return { median: m, spread: (1.4826 * mad) / m };
}

/**
 * The calibration reference of this run: `BENCH_CALIBRATION_MS` (with `BENCH_CALIBRATION_SPREAD`)
 * from an earlier quiet run; else the one the root `pnpm bench` measured before its first package;
 * else 15 samples in a fresh process, taken when this module loads.
 */
const given = envNumber('BENCH_CALIBRATION_MS', 0) > 0;
const reference = {
  ms: given ? envNumber('BENCH_CALIBRATION_MS', 0) : envNumber('BENCH_RUN_CALIBRATION_MS', 0),
  spread: given ? envNumber('BENCH_CALIBRATION_SPREAD', 0.03) : envNumber('BENCH_RUN_CALIBRATION_SPREAD', 0.03),
  /** 'start': measured by this process; 'run': by the root `pnpm bench` before its first package; 'given': BENCH_CALIBRATION_MS. */
  source: given ? 'given' : envNumber('BENCH_RUN_CALIBRATION_MS', 0) > 0 ? 'run' : 'start',
};
function ensureReference() {
  if (reference.ms > 0) return;
  const { median: ms, spread } = spreadOf(probe(15));
  Object.assign(reference, { ms, spread, source: 'start' });
}

/** How much slower than the reference the loop may run: three times the reference's spread, at least MAX_SLOWDOWN. */
export function tolerance() {
  ensureReference();
  return Math.max(MAX_SLOWDOWN, 1 + 3 * reference.spread);
}

/** The calibration reference in use (ms, relative spread, and where it comes from). */
export function calibrationReference() {
  ensureReference();
  return { ...reference };
}

const loadAtStart = os.loadavg()[0];
const own = new OwnLoad();
// Measured now, before any contender of the benchmark has run.
ensureReference();

/** The 1-minute load average when the benchmark started. */
export function startLoad() {
  return loadAtStart;
}

/** The benchmark's own part of the 1-minute load average now (see OwnLoad). */
export function ownLoad() {
  return own.update().value;
}

/**
 * The machine's state now. The harness pauses `pauseMs` (doing nothing itself) and reads
 * how much CPU other processes used meanwhile, reads the load average net of its own part,
 * and times the calibration loop in a fresh process.
 * @returns {import('./index.js').MachineState}
 */
export function machineState(pauseMs = PAUSE_MS) {
  const { value: ownPart, prev, now: before } = own.update();
  const runShare = othersShare(prev, before);
  const runSeconds = (before.at - prev.at) / 1000;
  sleepSync(pauseMs);
  const after = own.update().now;
  const busyShare = othersShare(before, after);
  const rawLoad = os.loadavg()[0];
  const load = Math.max(0, rawLoad - ownPart);
  ensureReference();
  const calibration = spreadOf(probe(7));
  const calibrationMs = calibration.median;
  // A start on a busy machine gives a slow or noisy reference: a later check clearly faster, or
  // steady where the reference was noisy and faster than it, replaces it.
  const clearlyFaster = calibrationMs * tolerance() < reference.ms;
  const steadier =
    reference.spread > MAX_REFERENCE_SPREAD &&
    calibration.spread <= MAX_REFERENCE_SPREAD &&
    calibrationMs < reference.ms;
  if (reference.source !== 'given' && (clearlyFaster || steadier))
    Object.assign(reference, { ms: calibrationMs, spread: calibration.spread });
  const slowdown = calibrationMs / reference.ms;
  const limit = tolerance();
  // The calibration probe itself ran in our tree, so others' share over it is clean too.
  own.update();
  const reasons = [];
  if (load > MAX_LOAD)
    reasons.push(
      `load ${load.toFixed(2)} of others > ${MAX_LOAD} (load average ${rawLoad.toFixed(2)}, ours ${ownPart.toFixed(2)})`,
    );
  if (busyShare > MAX_BUSY_SHARE)
    reasons.push(`other processes used ${(100 * busyShare).toFixed(0)}% of the CPU during a ${pauseMs} ms pause`);
  if (runSeconds >= 1 && runShare > MAX_RUN_SHARE)
    reasons.push(
      `other processes used ${(100 * runShare).toFixed(0)}% of the CPU during the measurement (${runSeconds.toFixed(0)} s)`,
    );
  if (slowdown > limit)
    reasons.push(
      `calibration loop ${slowdown.toFixed(2)}x its reference (${calibrationMs.toFixed(1)} ms / ${reference.ms.toFixed(1)} ms, limit ${limit.toFixed(2)}x)`,
    );
  if (reference.spread > MAX_REFERENCE_SPREAD)
    reasons.push(`calibration reference noisy (spread ${(100 * reference.spread).toFixed(0)}%)`);
  return {
    quiet: reasons.length === 0,
    load,
    rawLoad,
    ownLoad: ownPart,
    busyShare,
    runShare,
    calibrationMs,
    referenceMs: reference.ms,
    slowdown,
    reasons,
  };
}

/** One line describing the state, printed with every verdict block. */
export function describeState(s) {
  return `load ${s.load.toFixed(2)} of others (average ${s.rawLoad.toFixed(2)}, ours ${s.ownLoad.toFixed(2)}), others' CPU ${(100 * s.busyShare).toFixed(0)}% in the pause and ${(100 * s.runShare).toFixed(0)}% since the last check, calibration ${s.calibrationMs.toFixed(1)} ms (${s.slowdown.toFixed(2)}x the reference ${s.referenceMs.toFixed(1)} ms)`;
}

/**
 * Waits until the machine is quiet, for at most BENCH_WAIT_QUIET seconds (default 0: do not wait).
 * Call it before a measurement; returns the last state.
 */
export async function waitForQuiet(seconds = envNumber('BENCH_WAIT_QUIET', 0)) {
  const deadline = Date.now() + seconds * 1000;
  let s = machineState();
  while (!s.quiet && Date.now() < deadline) {
    console.error(`machine busy (${s.reasons.join('; ')}), waiting`);
    await new Promise((r) => setTimeout(r, 5000));
    s = machineState();
  }
  return s;
}

/** The calibration loop in this process (kept for callers that time it themselves). */
export { calibrationLoop };

/** Times the calibration loop `reps` times in a fresh process; returns the median in ms. */
export function calibrate(reps = 7) {
  return median(probe(reps));
}
