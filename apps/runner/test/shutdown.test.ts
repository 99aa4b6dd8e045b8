import fs from 'node:fs/promises';
import path from 'node:path';
import { pidAlive, type TempDir, tempDir } from '@pactown/test-helpers';
import { type LokiReceiver, startLokiReceiver } from '@pactown/loki-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeService, startHarness } from './helpers/harness.js';
import { SseClient } from './helpers/sse.js';
import { startServerProcess } from './helpers/server-process.js';

const ROWS = 3000;
const FENCE = '```';
/** A service that prints `tick N` every 10 ms until it is stopped. */
const TICKER = `# Ticker

${FENCE}javascript markpact:file path=tick.mjs
import http from 'node:http';
let i = 0;
setInterval(() => console.log('tick ' + i++), 10);
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.MARKPACT_PORT));
${FENCE}

${FENCE}bash markpact:run
node tick.mjs
${FENCE}
`;

let temp: TempDir;
let home: string;
let receiver: LokiReceiver;
beforeAll(async () => {
  temp = await tempDir('pactown-runner-shutdown-');
  home = temp.path;
  receiver = await startLokiReceiver({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await receiver?.close();
  await temp.remove();
});

describe('graceful shutdown (SIGTERM to the real server process)', () => {
  it('stops every service and loses no line: receiver and files hold all of them', async () => {
    const server = await startServerProcess('server', {
      PACTOWN_HOME: home,
      PACTOWN_PORT: '0',
      LOKI_URL: receiver.url,
      PACTOWN_LOG_FORMAT: 'json',
    });
    const run = async (id: string, user: string) => {
      const res = await fetch(`${server.url}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          service_id: id,
          user_id: user,
          content: nodeService({ lines: ROWS, prefix: `${id}-row` }),
        }),
      });
      return (await res.json()) as { success: boolean; pid: number };
    };
    const [a, b] = await Promise.all([run('alpha', 'user123'), run('beta', 'user456')]).catch((error: unknown) => {
      server.child.kill('SIGTERM');
      throw error;
    });
    expect(a.success && b.success).toBe(true);

    // The signal comes right after the runs answer: most lines are still in batches and buffers.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(pidAlive(a.pid)).toBe(false);
    expect(pidAlive(b.pid)).toBe(false);

    const rows = (id: string, lines: string[]) => {
      const seen = lines
        .map((l) => new RegExp(`${id}-row (\\d+)`).exec(l)?.[1])
        .filter((n) => n !== undefined)
        .map(Number);
      return { count: seen.length, unique: new Set(seen).size };
    };
    const pushed = receiver.entries().map((e) => e.line);
    expect(rows('alpha', pushed)).toEqual({ count: ROWS, unique: ROWS });
    expect(rows('beta', pushed)).toEqual({ count: ROWS, unique: ROWS });
    expect(pushed.some((l) => l.includes('Shutdown complete: logs flushed'))).toBe(true);

    const logDir = path.join(home, 'logs');
    const sandboxLog = (await fs.readFile(path.join(logDir, 'sandbox.log'), 'utf8')).split('\n');
    expect(rows('alpha', sandboxLog)).toEqual({ count: ROWS, unique: ROWS });
    expect(rows('beta', sandboxLog)).toEqual({ count: ROWS, unique: ROWS });
    expect(sandboxLog.some((l) => l.endsWith('Shutdown complete: logs flushed'))).toBe(true);
    const user123 = (await fs.readFile(path.join(logDir, 'user_user123.log'), 'utf8')).split('\n');
    expect(rows('alpha', user123)).toEqual({ count: ROWS, unique: ROWS });
    expect(rows('beta', user123).count).toBe(0);

    // Stopped on shutdown is not a death: no error files.
    expect((await fs.readdir(logDir)).filter((f) => f.endsWith('_error.log'))).toEqual([]);
    // The console got JSON lines (stdout is not a TTY).
    const first = server
      .stdout()
      .split('\n')
      .find((l) => l.startsWith('{'))!;
    expect(JSON.parse(first)).toHaveProperty('message');
  });

  it('waits for a slow Loki at SIGTERM (PACTOWN_LOKI_DRAIN_MS) instead of dropping what is queued', async () => {
    // Every push is answered after 6 s, so batches queue up behind the ones in flight: delivering
    // them at shutdown takes longer than the transport's own 5 s drain.
    const slow = await startLokiReceiver({ host: '127.0.0.1', port: 0 });
    const dir = await tempDir('pactown-runner-slow-loki-');
    try {
      const server = await startServerProcess('server', {
        PACTOWN_HOME: dir.path,
        PACTOWN_PORT: '0',
        LOKI_URL: slow.url,
        PACTOWN_LOG_FORMAT: 'json',
        PACTOWN_LOKI_DRAIN_MS: '40000',
        PACTOWN_SHUTDOWN_GRACE_MS: '60000',
      });
      slow.setLatency(6000);
      const res = await fetch(`${server.url}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service_id: 'slowpoke', content: TICKER }),
      });
      expect(((await res.json()) as { success: boolean }).success).toBe(true);
      // About 12 batches (one a second) while at most 8 pushes are in flight.
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const numbers = slow
        .entries()
        .map((e) => /tick (\d+)/.exec(e.line)?.[1])
        .filter((n) => n !== undefined)
        .map(Number);
      const last = Math.max(...numbers);
      expect(last).toBeGreaterThan(500);
      expect(new Set(numbers).size).toBe(last + 1);
      // Nothing of Loki's in the shutdown summary.
      expect(server.stderr()).not.toMatch(/lines were lost|loki_/);
    } finally {
      await slow.close();
      await dir.remove();
    }
  }, 120_000);

  it('says at shutdown, on stderr, how many lines were left out and why (Loki down past the drain)', async () => {
    const gone = await startLokiReceiver({ host: '127.0.0.1', port: 0 });
    const dir = await tempDir('pactown-runner-loki-down-');
    try {
      const server = await startServerProcess('server', {
        PACTOWN_HOME: dir.path,
        PACTOWN_PORT: '0',
        LOKI_URL: gone.url,
        PACTOWN_LOG_FORMAT: 'json',
        PACTOWN_LOKI_DRAIN_MS: '1000',
      });
      await gone.down({ mode: 'reset' });
      const res = await fetch(`${server.url}/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service_id: 'unheard', content: nodeService({ lines: 500, prefix: 'lost-row' }) }),
      });
      expect(((await res.json()) as { success: boolean }).success).toBe(true);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      const summary = /at shutdown: (\d+) lines were left out in all, by reason: (.*)$/m.exec(server.stderr());
      expect(summary, server.stderr()).not.toBeNull();
      const closed = Number(/loki_closed=(\d+)/.exec(summary![2]!)?.[1]);
      // The service's 500 rows and the app's own lines: none delivered, every one counted.
      expect(closed).toBeGreaterThan(500);
      expect(Number(summary![1])).toBeGreaterThanOrEqual(closed);
      expect(server.stderr()).toMatch(/PACTOWN_LOKI_UNDELIVERED/);
    } finally {
      await gone.close();
      await dir.remove();
    }
  }, 60_000);

  it('explains a busy port and an unwritable folder at start-up', async () => {
    const blocker = await startServerProcess('server', { PACTOWN_HOME: home, PACTOWN_PORT: '0' });
    try {
      const port = new URL(blocker.url).port;
      const busy = await startServerProcess('server', { PACTOWN_HOME: home, PACTOWN_PORT: port }).then(
        (second) => {
          second.child.kill('SIGKILL');
          throw new Error('second server started on a busy port');
        },
        (error: Error) => error.message,
      );
      expect(busy).toMatch(/exited \(1\)/);
      expect(busy).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.child.kill('SIGTERM');
    }
    expect(await blocker.exited).toBe(0);

    const file = path.join(home, 'not-a-folder');
    await fs.writeFile(file, '');
    const unwritable = await startServerProcess('server', { PACTOWN_HOME: file, PACTOWN_PORT: '0' }).then(
      (started) => {
        started.child.kill('SIGKILL');
        return 'started';
      },
      (error: Error) => error.message,
    );
    expect(unwritable).toContain(`the log folder ${path.join(file, 'logs')} is not writable (ENOTDIR)`);
  });

  it('refuses new runs with 503 and ends log streams once shutdown begins', async () => {
    const h = await startHarness({ loki: false });
    try {
      expect((await h.request('POST', '/run', { service_id: 'up', content: nodeService() })).body.success).toBe(true);
      const client = new SseClient(`${h.url}/services/up/logs`);
      await client.waitFor((e) => e.event === 'ready', 'ready');
      const done = h.app.shutdown('test');
      const refused = await h.request('POST', '/run', { service_id: 'late', content: nodeService() });
      expect(refused.status).toBe(503);
      expect(refused.body.message).toMatch(/shutting down/);
      await client.waitFor((e) => e.event === 'status' && e.data.status === 'server_shutdown', 'shutdown event');
      await client.ended();
      await done;
    } finally {
      await h.close();
    }
  });
});
