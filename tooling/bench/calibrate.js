// The calibration probe, run in a fresh process each time it is needed
// (`node calibrate.js <samples> <warmup>`): it times a fixed loop and prints
// every sample in milliseconds as one JSON line. A fresh process means no
// benchmark's heap, JIT state or worker threads shape the time.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A fixed amount of integer and allocation work (about 20 ms on a quiet core of a current x86 machine). */
export function calibrationLoop() {
  let h = 2166136261;
  const parts = [];
  for (let i = 0; i < 15_000_000; i++) {
    h = Math.imul(h ^ i, 16777619) >>> 0;
    if ((i & 65535) === 0) parts.push(h.toString(36));
  }
  return h + parts.join('').length;
}

/** Times the loop `samples` times after `warmup` untimed runs; every sample in ms. */
export function sampleLoop(samples, warmup = 2) {
  let sink = 0;
  for (let i = 0; i < warmup; i++) sink ^= calibrationLoop();
  const times = [];
  for (let i = 0; i < samples; i++) {
    const t0 = process.hrtime.bigint();
    sink ^= calibrationLoop();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  // Keeps the loop's result alive so it cannot be optimised away.
  if (sink === 0.5) times.push(0);
  return times;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const samples = Number(process.argv[2] ?? 7);
  const warmup = Number(process.argv[3] ?? 2);
  process.stdout.write(`${JSON.stringify(sampleLoop(samples, warmup))}\n`);
}
