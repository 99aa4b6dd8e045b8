/**
 * Latencies: process end -> died report delivered, and server listening ->
 * readiness reported, each against a competitor in the same run.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { silentLogger } from '../src/process/logger.js';
import { probeHttp } from '../src/process/readiness.js';
import { type ServiceProcess, startService } from '../src/process/service-process.js';

const SLEEPER = 'setInterval(() => {}, 1000); console.log("up")';

async function up(proc: ServiceProcess): Promise<void> {
  const result = await proc.waitReady({ pattern: /^up$/, timeoutMs: 30_000 });
  if (!result.ready) throw new Error('sleeper did not start');
}

/** Kill -> our died report (ms). */
export async function diedReportLatency(): Promise<number> {
  const proc = startService({ serviceId: 'bench-died', command: process.execPath, args: ['-e', SLEEPER], cwd: tmpdir(), logger: silentLogger, stopOnExit: false });
  await up(proc);
  const t0 = performance.now();
  process.kill(proc.pid!, 'SIGKILL');
  await proc.ended;
  return performance.now() - t0;
}

/** Kill -> execa's result promise settles (ms). */
export async function execaResultLatency(): Promise<number> {
  const subprocess = execa(process.execPath, ['-e', SLEEPER], { reject: false, stdin: 'ignore' });
  await new Promise<void>((resolve) => subprocess.stdout!.once('data', () => resolve()));
  const t0 = performance.now();
  process.kill(subprocess.pid!, 'SIGKILL');
  await subprocess;
  return performance.now() - t0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
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
    serviceId: 'bench-ready',
    command: process.execPath,
    args: ['-e', SERVER],
    cwd: tmpdir(),
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
  const child = spawn(process.execPath, ['-e', SERVER], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'ignore'] });
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
