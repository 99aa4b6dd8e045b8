import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type LokiReceiver, startLokiReceiver } from '@pactown/loki-receiver';
import { type RunnerApp, createRunnerApp } from '../../src/app/app.js';
import { type RunnerConfig, loadConfig } from '../../src/config/config.js';

export interface Harness {
  url: string;
  app: RunnerApp;
  config: RunnerConfig;
  receiver: LokiReceiver | null;
  home: string;
  request(method: string, route: string, body?: unknown, token?: string): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/** The app on 127.0.0.1 port 0 with its own temp home and (by default) an in-process Loki receiver. */
export async function startHarness(options: { env?: Record<string, string>; loki?: boolean } = {}): Promise<Harness> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'pactown-runner-'));
  const receiver = options.loki === false ? null : await startLokiReceiver({ host: '127.0.0.1', port: 0 });
  const env = { PACTOWN_HOME: home, PACTOWN_PORT: '0', PACTOWN_HOST: '127.0.0.1', ...options.env };
  const app = await createRunnerApp({ config: loadConfig(env, {}, home), env, console: false, lokiUrl: receiver?.url ?? null });
  const config = app.context.config;
  const url = await app.listen();
  return {
    url,
    app,
    config,
    receiver,
    home,
    async request(method, route, body, token) {
      const headers: Record<string, string> = {};
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await fetch(`${url}${route}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    async close() {
      await app.shutdown('test finished');
      await receiver?.close();
      await fs.rm(home, { recursive: true, force: true });
    },
  };
}

/** A dependency-free Node service that prints `lines` numbered lines at start, then serves. */
export function nodeService(options: { lines?: number; prefix?: string; exitAfterMs?: number } = {}): string {
  const fence = '```';
  const lines = options.lines ?? 0;
  const prefix = options.prefix ?? 'line';
  const exit = options.exitAfterMs === undefined ? '' : `setTimeout(() => { console.error('fatal: giving up'); process.exit(3); }, ${options.exitAfterMs});`;
  return `# Test service

${fence}javascript markpact:file path=server.mjs
import http from 'node:http';
for (let i = 0; i < ${lines}; i++) console.log('${prefix} ' + i);
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.MARKPACT_PORT), () => {
  console.log('ready');
  ${exit}
});
${fence}

${fence}bash markpact:run
node server.mjs
${fence}
`;
}

/** Waits until `check` returns a value (polling an observable condition, never a fixed sleep). */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
