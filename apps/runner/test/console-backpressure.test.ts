import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tempDir } from '@pactown/test-helpers';
import { describe, expect, it } from 'vitest';
import { createRunnerApp } from '../src/app/app.js';
import { loadConfig } from '../src/config/config.js';

describe('console output read too slowly', () => {
  it('drops console lines past 4 MiB held, never throws, and /metrics serves the handler count', async () => {
    const temp = await tempDir('pactown-runner-console-');
    const home = temp.path;
    // A real pipe whose reader starts reading only when told to.
    const reader = spawn(
      process.execPath,
      ['-e', 'process.once("message", () => { process.stdin.on("data", () => {}); process.disconnect(); })'],
      {
        stdio: ['pipe', 'ignore', 'ignore', 'ipc'],
      },
    );
    const env = { PACTOWN_HOME: home, PACTOWN_PORT: '0', PACTOWN_HOST: '127.0.0.1' };
    const app = await createRunnerApp({
      config: loadConfig(env, {}, home),
      env,
      console: reader.stdin!,
      lokiUrl: null,
    });
    try {
      const url = await app.listen();
      const handler = app.context.logging.console!;
      const log = app.context.logging.root;
      const pad = 'x'.repeat(400);
      // About 25 MB of JSON lines into a pipe nobody reads.
      for (let i = 0; i < 50_000; i++) log.info({ i }, `burst ${pad}`);
      expect(handler.dropped).toBeGreaterThan(10_000);
      expect(handler.pendingBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
      expect(reader.stdin!.writableLength).toBeLessThan(256 * 1024);
      expect(handler.errors).toBe(0);

      const metrics = await (await fetch(`${url}/metrics`)).text();
      const served = Number(/^pactown_runner_console_dropped_lines_total (\d+)$/m.exec(metrics)?.[1]);
      expect(served).toBe(handler.dropped);

      reader.send('go');
      await handler.flush();
      expect(handler.pendingBytes).toBe(0);
      expect(handler.errors).toBe(0);
    } finally {
      await app.shutdown('test finished');
      reader.stdin!.end();
      await once(reader, 'exit');
      await temp.remove();
    }
  }, 60_000);
});
