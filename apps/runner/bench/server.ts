import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const APP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface BenchServer {
  url: string;
  child: ChildProcess;
  post(route: string, body: unknown): Promise<any>;
  /** CPU seconds the server process has used and live lines it has published, from its own /metrics. */
  sample(): Promise<{ cpu: number; lines: number }>;
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
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
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
      };
    },
    stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
