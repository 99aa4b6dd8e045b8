import fs from 'node:fs';
import os from 'node:os';

// A verdict taken on a busy machine says more about the neighbours than about the code.
// Before each verdict the harness reads three things while it does nothing else itself:
// the 1-minute load average, the share of CPU other processes used during a short pause,
// and the time of a fixed calibration loop against the fastest time seen.

const cores = os.cpus().length || 1;
/** Highest 1-minute load average that still counts as quiet (our own runs raise it too). */
export const MAX_LOAD = envNumber('BENCH_MAX_LOAD', cores);
/** Highest share of all CPU (0..1) other processes may use while the harness pauses. */
export const MAX_BUSY_SHARE = envNumber('BENCH_MAX_BUSY', 0.15);
/** How much slower than the reference the calibration loop may run. */
export const MAX_SLOWDOWN = envNumber('BENCH_MAX_SLOWDOWN', 1.2);

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms) {
  Atomics.wait(sleeper, 0, 0, ms);
}

function cpuTicks() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { idle, total };
  } catch {
    return undefined;
  }
}

/** A fixed amount of integer and allocation work (about 30 ms on a quiet 2 GHz core). */
export function calibrationLoop() {
  let h = 2166136261;
  const parts = [];
  for (let i = 0; i < 3_000_000; i++) {
    h = Math.imul(h ^ i, 16777619) >>> 0;
    if ((i & 16383) === 0) parts.push(h.toString(36));
  }
  return h + parts.join('').length;
}

/** A positive number from the environment, or `fallback` when the variable is unset, empty or not one. */
function envNumber(name, fallback) {
  const v = Number(process.env[name] || Number.NaN);
  return Number.isFinite(v) ? v : fallback;
}

let best = envNumber('BENCH_CALIBRATION_MS', 0) > 0 ? envNumber('BENCH_CALIBRATION_MS', 0) : Number.POSITIVE_INFINITY;
let sink = 0;

/** Times the calibration loop `reps` times; returns the median in ms. */
export function calibrate(reps = 7) {
  const times = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    sink ^= calibrationLoop();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  best = Math.min(best, times[0]);
  return times[times.length >> 1];
}

/**
 * The machine's state now. Call it when none of the benchmark's own contenders
 * run: the CPU share is everything the machine did during the pause.
 * @returns {{ quiet: boolean, load: number, busyShare: number, calibrationMs: number, slowdown: number, reasons: string[] }}
 */
export function machineState(pauseMs = 400) {
  const load = os.loadavg()[0];
  const a = cpuTicks();
  sleepSync(pauseMs);
  const b = cpuTicks();
  const busyShare = a && b && b.total > a.total ? 1 - (b.idle - a.idle) / (b.total - a.total) : 0;
  const calibrationMs = calibrate();
  const slowdown = calibrationMs / best;
  const reasons = [];
  if (load > MAX_LOAD) reasons.push(`load ${load.toFixed(2)} > ${MAX_LOAD}`);
  if (busyShare > MAX_BUSY_SHARE)
    reasons.push(`other processes used ${(100 * busyShare).toFixed(0)}% of the CPU during a ${pauseMs} ms pause`);
  if (slowdown > MAX_SLOWDOWN)
    reasons.push(`calibration loop ${slowdown.toFixed(2)}x its best (${calibrationMs.toFixed(1)} ms)`);
  return { quiet: reasons.length === 0, load, busyShare, calibrationMs, slowdown, reasons };
}

/** One line describing the state, printed with every verdict block. */
export function describeState(s) {
  return `load ${s.load.toFixed(2)}, others' CPU ${(100 * s.busyShare).toFixed(0)}%, calibration ${s.calibrationMs.toFixed(1)} ms (${s.slowdown.toFixed(2)}x best)`;
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

export function calibrationSink() {
  return sink;
}
