import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort, pidAlive, tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { poll, probeHttp, waitForHttp } from '../../src/process/readiness.js';
import { collector, fixture } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('readiness', () => {
  it('by HTTP: /health 404 falls back to /, with the seed messages', async () => {
    const port = await freePort();
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'http',
      command: 'python3',
      args: [fixture('http_server.py'), '0.3'],
      cwd: dir.path,
      env: { PORT: port },
      onLog: log.onLog,
    });
    try {
      const result = await proc.waitReady({ http: port, timeoutMs: 30_000 });
      expect(result).toMatchObject({ ready: true, kind: 'http', status: 200, path: '/' });
      const msgs = log.messages().filter((m) => !m.startsWith('listening'));
      expect(msgs).toEqual([
        `Process started with PID: ${proc.pid}`,
        'Waiting for server to start...',
        '✓ Server responding (status 200)',
      ]);
    } finally {
      await proc.stop();
    }
  });

  it('by HTTP on a Node server answering /health', async () => {
    const port = await freePort();
    const proc = startService({
      isolation: 'none',
      serviceId: 'node-http',
      command: process.execPath,
      args: [fixture('http_server.mjs'), '200'],
      cwd: dir.path,
      env: { PORT: port },
    });
    try {
      const result = await proc.waitReady({ http: { port, path: '/health' }, timeoutMs: 30_000 });
      expect(result).toMatchObject({ ready: true, status: 200, path: '/health' });
    } finally {
      await proc.stop();
    }
  });

  it('by TCP port', async () => {
    const port = await freePort();
    const proc = startService({
      isolation: 'none',
      serviceId: 'port',
      command: process.execPath,
      args: [fixture('http_server.mjs'), '300'],
      cwd: dir.path,
      env: { PORT: port },
    });
    try {
      expect(await proc.waitReady({ port, timeoutMs: 30_000 })).toMatchObject({ ready: true, kind: 'port' });
    } finally {
      await proc.stop();
    }
  });

  it('by a line pattern', async () => {
    const port = await freePort();
    const proc = startService({
      isolation: 'none',
      serviceId: 'pattern',
      command: process.execPath,
      args: [fixture('http_server.mjs')],
      cwd: dir.path,
      env: { PORT: port },
    });
    try {
      const result = await proc.waitReady({ pattern: /listening on \d+/, timeoutMs: 30_000 });
      expect(result).toMatchObject({ ready: true, kind: 'pattern', line: `listening on ${port}` });
    } finally {
      await proc.stop();
    }
  });

  it('a pattern matching a line captured before the wait returns the line masked, as a live match does', async () => {
    const script = 'console.log("ready api_token=abc123secret on 8000"); setInterval(() => {}, 1000)';
    const early = startService({
      isolation: 'none',
      serviceId: 'pattern-early',
      command: process.execPath,
      args: ['-e', script],
      cwd: dir.path,
      logOutput: false,
    });
    const live = startService({
      isolation: 'none',
      serviceId: 'pattern-live',
      command: process.execPath,
      args: ['-e', `setTimeout(() => { ${script} }, 300)`],
      cwd: dir.path,
      logOutput: false,
    });
    try {
      const deadline = Date.now() + 30_000;
      while (!early.tails().stdout.text.includes('ready') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      const before = await early.waitReady({ pattern: /^ready/, timeoutMs: 30_000 });
      const during = await live.waitReady({ pattern: /^ready/, timeoutMs: 30_000 });
      expect(during).toMatchObject({ ready: true, kind: 'pattern', line: 'ready api_token=[REDACTED] on 8000' });
      expect(before).toMatchObject({ ready: true, kind: 'pattern', line: 'ready api_token=[REDACTED] on 8000' });
      // The pattern is matched against the masked text in both cases.
      const hidden = await early.waitReady({ pattern: /abc123secret/, timeoutMs: 300, stopOnTimeout: false });
      expect(hidden).toMatchObject({ ready: false, reason: 'timeout' });
    } finally {
      await Promise.all([early.stop(), live.stop()]);
    }
  });

  it('death during the wait ends it at once, with the died report', async () => {
    const port = await freePort();
    const proc = startService({
      isolation: 'none',
      serviceId: 'dies',
      command: process.execPath,
      args: [fixture('dies_later.mjs'), '300'],
      cwd: dir.path,
    });
    const result = await proc.waitReady({ http: port, timeoutMs: 60_000 });
    expect(result.ready).toBe(false);
    if (result.ready) return;
    expect(result.reason).toBe('died');
    // Far below the 60 s timeout: the wait followed the exit, not the clock.
    expect(result.elapsedMs).toBeLessThan(30_000);
    expect(result.report).toMatchObject({ message: 'Process exited with code: 3', category: 'process_crash' });
    expect(result.report!.stderrTail).toContain('fatal: lost connection to the queue');
  });

  it('timeout: startup_timeout, heartbeats, and the process stopped cleanly', async () => {
    const port = await freePort();
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'slow',
      command: process.execPath,
      args: [fixture('never_ready.mjs')],
      cwd: dir.path,
      onLog: log.onLog,
      port,
    });
    const result = await proc.waitReady({ http: port, timeoutMs: 1_500, heartbeatMs: 400 });
    expect(result).toMatchObject({ ready: false, reason: 'timeout' });
    if (result.ready) return;
    expect(result.report!.category).toBe('startup_timeout');
    expect(result.report!.message).toBe('⏱️ Health check timed out after 1.5s - process still running: true');
    expect(result.report!.suggestions.map((s) => s.action)).toEqual(['increase_timeout', 'check_port']);
    expect(result.report!.suggestions[1]!.description).toContain(String(port));
    expect(log.messages().some((m) => /^⏳ Waiting for server to start\.\.\. elapsed=\d+s$/.test(m))).toBe(true);
    expect(log.messages()).toContain(`Sent SIGTERM to process group ${proc.pid}`);
    expect(proc.running).toBe(false);
    expect(pidAlive(proc.pid!)).toBe(false);
  });

  it('probeHttp follows the original rules: 5xx is not ready, 404 only on /', async () => {
    let status = 503;
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/' ? status : 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await probeHttp({ port })).toBeNull();
      status = 404;
      expect(await probeHttp({ port })).toEqual({ status: 404, path: '/' });
      status = 302;
      expect(await waitForHttp({ port, timeoutMs: 5_000 })).toEqual({ done: true, value: { status: 302, path: '/' } });
    } finally {
      server.close();
    }
  });

  it('rejects a wait without exactly one readiness kind', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'bad',
      command: process.execPath,
      args: ['-e', '0'],
      cwd: dir.path,
    });
    await expect(proc.waitReady({})).rejects.toThrow(TypeError);
    await proc.ended;
  });

  it('names a misspelt or invalid readiness or stop option, with its code', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'misspelt',
      command: process.execPath,
      args: ['-e', 'setTimeout(() => {}, 30000)'],
      cwd: dir.path,
    });
    await expect(proc.waitReady({ port: 1, timeoutMS: 5 } as never)).rejects.toMatchObject({
      code: 'PACTOWN_SANDBOX_UNKNOWN_OPTION',
      message: expect.stringMatching(/unknown option 'timeoutMS' in waitReady options \(did you mean 'timeoutMs'\?\)/),
    });
    await expect(proc.waitReady({ http: { port: 8000, paht: '/' } as never })).rejects.toMatchObject({
      code: 'PACTOWN_SANDBOX_UNKNOWN_OPTION',
      message: expect.stringMatching(/unknown option 'paht' in waitReady http \(did you mean 'path'\?\)/),
    });
    await expect(proc.waitReady({ port: 70_000 })).rejects.toMatchObject({
      code: 'PACTOWN_SANDBOX_INVALID_OPTION',
      message: expect.stringContaining("option 'port' must be a port number (1-65535), got 70000"),
    });
    await expect(proc.waitReady({ port: 1, timeoutMs: 0 })).rejects.toThrow(/'timeoutMs' must be a positive number/);
    // stop() checks its options before it returns its promise, as before.
    expect(() => proc.stop({ graceMS: 1 } as never)).toThrow(
      expect.objectContaining({ code: 'PACTOWN_SANDBOX_UNKNOWN_OPTION' }),
    );
    expect(() => proc.stop({ graceMs: -1 })).toThrow(/'graceMs' must be a non-negative integer, got -1/);
    await proc.stop({ graceMs: 100 });
  });
});

describe('poll with nudges', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('a nudge during the pause starts the next attempt at once', async () => {
    let nudge = (): void => {};
    const attempts: number[] = [];
    let ended = 0;
    const start = Date.now();
    const outcome = await poll(
      async () => {
        attempts.push(Date.now() - start);
        if (attempts.length === 1) {
          await wait(1_000); // 1 s waited: the pause is then 100 ms
          setTimeout(() => nudge(), 10);
          ended = Date.now() - start;
          return null;
        }
        return 'ready';
      },
      {
        timeoutMs: 10_000,
        minIntervalMs: 5,
        maxIntervalMs: 5_000,
        nudges: (n) => {
          nudge = n;
          return () => {
            nudge = () => {};
          };
        },
      },
    );
    expect(outcome).toEqual({ done: true, value: 'ready' });
    expect(attempts).toHaveLength(2);
    // Without the nudge the second attempt would come 100 ms after the first ended.
    expect(attempts[1]! - ended).toBeLessThan(70);
  });

  it('nudges never bring attempts closer than the shortest pause, and are unsubscribed at the end', async () => {
    let subscribed = 0;
    const attempts: number[] = [];
    const timer = setInterval(() => {}, 1);
    const outcome = await poll(
      async () => {
        attempts.push(Date.now());
        return null;
      },
      {
        timeoutMs: 300,
        minIntervalMs: 50,
        maxIntervalMs: 50,
        nudges: (n) => {
          subscribed++;
          const every = setInterval(n, 1);
          return () => {
            subscribed--;
            clearInterval(every);
          };
        },
      },
    );
    clearInterval(timer);
    expect(outcome).toEqual({ done: false, reason: 'timeout' });
    expect(subscribed).toBe(0);
    // The last attempt is at the deadline, however soon after the one before (as without nudges);
    // timers may fire a millisecond early by Date.now().
    for (let i = 1; i < attempts.length - 1; i++) expect(attempts[i]! - attempts[i - 1]!).toBeGreaterThanOrEqual(45);
    expect(attempts.length).toBeLessThanOrEqual(8);
  });
});

describe('poll with nudges and an abort', () => {
  it('an abort during a long pause ends the wait at once', async () => {
    vi.useFakeTimers();
    try {
      const controller = new AbortController();
      let attempts = 0;
      const outcome = poll(
        async () => {
          // 30 s waited after the first attempt: the pause is then 3 s, long enough to see an abort end it.
          if (++attempts === 1) vi.setSystemTime(Date.now() + 30_000);
          return null;
        },
        {
          timeoutMs: 60_000,
          minIntervalMs: 5,
          maxIntervalMs: 5_000,
          signal: controller.signal,
          nudges: () => () => {},
        },
      );
      await vi.advanceTimersByTimeAsync(100);
      expect(attempts).toBe(1);
      controller.abort();
      await vi.advanceTimersByTimeAsync(0);
      expect(await outcome).toEqual({ done: false, reason: 'aborted' });
      expect(attempts).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
