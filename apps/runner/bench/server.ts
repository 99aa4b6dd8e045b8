import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@pactown/test-helpers';

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ServerSample {
  cpu: number;
  lines: number;
  heapUsed: number;
  external: number;
  handles: number;
  lokiQueueBytes: number;
  lokiRetries: number;
}

export interface BenchServer {
  url: string;
  child: ChildProcess;
  post(route: string, body: unknown): Promise<any>;
  /**
   * From the server's own /metrics: CPU seconds used, live lines published, V8 heap in use,
   * memory held outside the heap (Buffers, `external`), active handles (sockets, pipes, timers)
   * and the Loki client's queue (encoded bytes held, retries so far).
   */
  sample(): Promise<ServerSample>;
  /** What the server has written to stderr so far (also passed through to this process's stderr). */
  stderr(): string;
  stop(): Promise<number | string>;
}

/** The built server as its own process, so its CPU time is its own. */
export async function startBenchServer(env: Record<string, string>): Promise<BenchServer> {
  const entry = path.join(APP, 'dist', 'server.js');
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: build first (npx pnpm@10.34.8 build)`);
  // The console goes to /dev/null: reading it here cost this process the CPU its SSE clients need,
  // so the port is chosen here and readiness is read from /health.
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    cwd: APP,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PACTOWN_PORT: String(port),
      PACTOWN_LOG_FORMAT: 'json',
      // e.g. NODE_OPTIONS=--heapsnapshot-signal=SIGUSR2 to take heap snapshots of the app while it runs.
      ...(process.env.NODE_OPTIONS ? { NODE_OPTIONS: process.env.NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
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
  // If the benchmark itself ends or is interrupted, the server goes too, through its own stop
  // (which stops its services); on a signal the benchmark exits once the server has.
  const onExit = () => child.kill('SIGTERM');
  const onSignal = (signal: NodeJS.Signals) => {
    child.kill('SIGTERM');
    void exited.then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal).once('exit', onExit);
  void exited.then(() => process.off('SIGINT', onSignal).off('SIGTERM', onSignal).off('exit', onExit));
  const url = `http://127.0.0.1:${port}`;
  let gone: number | string | null = null;
  void exited.then((code) => (gone = code));
  for (const deadline = Date.now() + 60_000; ; ) {
    if (gone !== null) throw new Error(`server exited (${gone}) before listening`);
    if (Date.now() > deadline) throw new Error('server did not answer /health within 60 s');
    const ok = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
      const read = (name: string) => Number(new RegExp(`^${name} ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
      return {
        cpu: Number(/^process_cpu_seconds_total ([\d.e+-]+)$/m.exec(text)![1]),
        lines: Number(/^pactown_runner_live_lines_total (\d+)$/m.exec(text)![1]),
        heapUsed: read('nodejs_heap_size_used_bytes'),
        external: read('nodejs_external_memory_bytes'),
        handles: read('nodejs_active_handles_total'),
        lokiQueueBytes: read('pactown_loki_queue_bytes'),
        lokiRetries: read('pactown_loki_retries_total'),
      };
    },
    stderr: () => errText,
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
