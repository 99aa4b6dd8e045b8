import { type LokiReceiver, type LokiReceiverOptions, startLokiReceiver } from '@pactown/loki-receiver';
import { tempDir } from '@pactown/test-helpers';
import { type RunnerApp, createRunnerApp } from '../../src/app/app.js';
import { type RunnerConfig, loadConfig } from '../../src/config/config.js';

export interface Harness {
  url: string;
  app: RunnerApp;
  config: RunnerConfig;
  receiver: LokiReceiver | null;
  home: string;
  request(
    method: string,
    route: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: any; text: string; headers: Headers }>;
  close(): Promise<void>;
}

/**
 * The app on 127.0.0.1 port 0 with its own temp home and (by default) an in-process Loki receiver;
 * `loki` may also give the receiver's options (a deploy's Loki settings, say).
 */
export async function startHarness(
  options: { env?: Record<string, string>; loki?: boolean | LokiReceiverOptions } = {},
): Promise<Harness> {
  const dir = await tempDir('pactown-runner-');
  const home = dir.path;
  const lokiOptions = typeof options.loki === 'object' ? options.loki : {};
  const receiver =
    options.loki === false ? null : await startLokiReceiver({ host: '127.0.0.1', port: 0, ...lokiOptions });
  const env = { PACTOWN_HOME: home, PACTOWN_PORT: '0', PACTOWN_HOST: '127.0.0.1', ...options.env };
  const app = await createRunnerApp({
    config: loadConfig(env, {}, home),
    env,
    console: false,
    lokiUrl: receiver?.url ?? null,
  });
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
      const res = await fetch(`${url}${route}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
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
      await dir.remove();
    },
  };
}

// Fixture services and the waiter live in the workspace's test helpers.
export { nodeService, waitFor } from '@pactown/test-helpers';
