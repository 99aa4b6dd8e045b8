import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchServer {
  url: string;
  child: ChildProcess;
  post(route: string, body: unknown): Promise<any>;
  /** CPU seconds the server process has used, live lines it has published and its V8 heap in use, from its own /metrics. */
  sample(): Promise<{ cpu: number; lines: number; heapUsed: number }>;
  /** What the server has written to stderr so far (also passed through to this process's stderr). */
  stderr(): string;
  stop(): Promise<number | string>;
}

/** The built server as its own process, so its CPU time is its own. */
export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  const entry = path.join(APP, 'dist', 'server.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: build first (npx pnpm@10.34.8 build)`);
  const child = spawn(process.execPath, [entry], {
    cwd: APP,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PACTOWN_PORT: '0',
      PACTOWN_LOG_FORMAT: 'json',
      // e.g. NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 to take heap snapshots of the app while it runs.
      ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errText = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    // The app's stderr is a few report lines; the last 1 MiB is kept in any case.
    errText = (errText + chunk).slice(-1024 * 1024);
    process.stderr.write(chunk);
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  // If the benchmark itself is interrupted, the server (and through it the services) goes too.
  const onSignal = () => child.kill('SIGTERM');
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal).once('exit', onSignal);
  void exited.then(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('exit', onSignal));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Runner listening on (http:\/\/[\d.:]+)/.exec(out);
      if (match) {
        child.stdout!.off('data', onData);
        // Keep draining the console so the server never blocks on a full pipe.
        child.stdout!.resume();
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening`)));
  });
  return {
    url,
    child,
    async post(route, body) {
      const res = await fetch(`${url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return res.json();
    },
    async sample() {
      const text = await (await fetch(`${url}/metrics`)).text();
      return {
        cpu: Number(/^process_cpu_seconds_total ([\d.e+-]+)$/m.exec(text)![1]),
        lines: Number(/^pactown_runner_live_lines_total (\d+)$/m.exec(text)![1]),
        heapUsed: Number(/^nodejs_heap_size_used_bytes ([\d.e+-]+)$/m.exec(text)?.[1] ?? 0),
      };
    },
    stderr: () => errText,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
