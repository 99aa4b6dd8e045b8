import fs from 'node:fs/promises';
import path from 'node:path';
import { type TempDir, tempDir } from '@pactown/test-helpers';
import { type LokiReceiver, startLokiReceiver } from '@pactown/loki-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeService, startHarness } from './helpers/harness.js';
import { SseClient } from './helpers/sse.js';
import { startServerProcess } from './helpers/server-process.js';

const ROWS = 3000;

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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

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
    expect(isAlive(a.pid)).toBe(false);
    expect(isAlive(b.pid)).toBe(false);

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
