/**
 * Latencies: process end -> died report delivered, and server listening ->
 * readiness reported, each against a competitor in the same run. Both
 * children print the wall-clock moment of the event (the process about to
 * `_exit`, the server listening), so the numbers start at the event itself,
 * not at a signal we sent or a process we spawned.
 */
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { silentLogger } from '../src/process/service-records.js';
import { probeHttp } from '../src/process/readiness.js';
import { startService } from '../src/process/service-process.js';
import { serviceDir } from './workdir.js';
import { freePort } from '@pactown/test-helpers';

// Prints the wall-clock moment just before it ends, then ends at once (no interpreter teardown).
const ENDER = 'import os, time; print(time.time() * 1000, flush=True); os._exit(3)';

function endedAt(text: string): number {
  const value = Number.parseFloat(text);
  if (!Number.isFinite(value)) throw new Error(`no end time in ${JSON.stringify(text)}`);
  return value;
}

/** Process end -> our died report delivered (ms). */
export async function diedReportLatency(): Promise<number> {
  let out = '';
  const proc = startService({
    // The capture path alone (bench/isolation.ts compares the modes).
    isolation: 'none',
    serviceId: 'bench-died',
    command: 'python3',
    args: ['-c', ENDER],
    cwd: serviceDir(),
    logger: silentLogger,
    stopOnExit: false,
    onLog: (r) => {
      if (r.stream === 'stdout') out += r.message;
    },
  });
  await proc.ended;
  return performance.timeOrigin + performance.now() - endedAt(out);
}

/** Process end -> execa's result promise settles (ms). */
export async function execaResultLatency(): Promise<number> {
  const result = await execa('python3', ['-c', ENDER], { reject: false, stdin: 'ignore' });
  return performance.timeOrigin + performance.now() - endedAt(String(result.stdout));
}

// The server prints the wall-clock moment it started listening (performance.timeOrigin + now, ms with fractions).
const SERVER = `
const delay = 150 + Math.random() * 350;
setTimeout(() => require('node:http').createServer((q, s) => s.end('ok'))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening ' + (performance.timeOrigin + performance.now()))), delay);
`;

function listenedAt(text: string): number {
  const m = /listening ([\d.]+)/.exec(text);
  if (m === null) throw new Error('server did not report its listen time');
  return Number(m[1]);
}

/** Server listening -> our waitReady resolves (ms). */
export async function readinessLatency(): Promise<number> {
  const port = await freePort();
  let out = '';
  const proc = startService({
    // The capture path alone (bench/isolation.ts compares the modes).
    isolation: 'none',
    serviceId: 'bench-ready',
    command: process.execPath,
    args: ['-e', SERVER],
    cwd: serviceDir(),
    env: { PORT: port },
    logger: silentLogger,
    stopOnExit: false,
    onLog: (r) => {
      if (r.stream === 'stdout') out += r.message;
    },
  });
  const result = await proc.waitReady({ http: port, timeoutMs: 30_000 });
  const readyAt = performance.timeOrigin + performance.now();
  if (!result.ready) throw new Error('server did not become ready');
  await proc.stop();
  return readyAt - listenedAt(out);
}

/** Server listening -> the original's loop notices (GET /health then /, every 500 ms) (ms). */
export async function originalPollLatency(): Promise<number> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', SERVER], {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  for (;;) {
    if ((await probeHttp({ port })) !== null) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const readyAt = performance.timeOrigin + performance.now();
  child.kill('SIGKILL');
  if (!out.includes('listening')) await new Promise((r) => child.stdout.once('data', r));
  return readyAt - listenedAt(out);
}
