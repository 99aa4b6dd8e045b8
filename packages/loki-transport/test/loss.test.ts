// Issue 15, items 5-12: every line arrives, or its loss is counted and said on stderr.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LokiReceiver } from '@pactown/loki-receiver';
import { type TempDir, tempDir, waitFor } from '@pactown/test-helpers';
import { startLokiReceiver } from './helpers/receiver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLokiClient, type LokiClient, type LokiOptions } from '../src/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
let receiver: LokiReceiver;
let tmp: TempDir;
let dir: string;
const clients: LokiClient[] = [];

beforeEach(async () => {
  receiver = await startLokiReceiver();
  tmp = await tempDir('loki-loss-');
  dir = tmp.path;
});
afterEach(async () => {
  if (receiver.isDown) await receiver.up();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await receiver.close();
  await tmp.remove();
});

function client(options: Partial<LokiOptions>, warnings: string[] = []): LokiClient {
  const c = createLokiClient({
    url: receiver.url,
    labels: { service: 'api' },
    metricsInterval: 0,
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  clients.push(c);
  return c;
}

/** Runs a fixture to its end; resolves with its exit code, stdout and stderr. */
async function run(
  file: string,
  args: string[],
  shell?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = [path.join(fixtures, file), ...args];
  const child =
    shell === undefined
      ? spawn(process.execPath, argv)
      : spawn('bash', ['-c', `${shell}; exec "$0" "$@"`, process.execPath, ...argv]);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { code, stdout, stderr };
}

const exitOptions = () => ({ url: receiver.url, labels: { service: 'api' }, metricsInterval: 0 });

describe('lines logged right before process.exit() (item 5)', () => {
  for (const face of ['log-core', 'winston', 'client', 'pino']) {
    it(`${face}: 1000 lines then process.exit(0) all reach Loki`, async () => {
      const { code, stderr } = await run('exit-app.mjs', [face, JSON.stringify(exitOptions()), '1000']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      await receiver.waitForEntries(1000, 5000);
      expect(receiver.entryCount).toBe(1000);
      expect(receiver.query('{service="api"} |= "before-exit line 999"').result).toHaveLength(1);
    }, 30_000);
  }

  for (const face of ['log-core', 'winston', 'client', 'pino']) {
    it(`${face}: Loki unreachable at exit, stderr says how many lines were lost and why`, async () => {
      await receiver.down();
      const { code, stderr } = await run('exit-app.mjs', [face, JSON.stringify(exitOptions()), '1000']);
      expect(code).toBe(0);
      expect(stderr).toMatch(
        /PACTOWN_LOKI_UNDELIVERED: at (exit|close), 1000 lines were lost \(counted as dropped\.closed\): .*ECONNREFUSED/,
      );
    }, 30_000);
  }

  for (const face of ['winston', 'client', 'pino']) {
    it(`${face}: with a spool and Loki down at exit, the lines stay on disk and the next start sends them`, async () => {
      await receiver.down();
      const spoolDir = path.join(dir, `spool-${face}`);
      const options = { ...exitOptions(), spoolDir, drainTimeout: 1000 };
      const { stderr } = await run('exit-app.mjs', [face, JSON.stringify(options), '1000']);
      expect(stderr).toMatch(/at (exit|close), 1000 lines not yet accepted by Loki stay in the spool folder/);
      expect(stderr).not.toMatch(/lines were lost/);
      await receiver.up();
      const c = client({ spoolDir });
      await c.flush();
      expect(c.metrics().sentLines).toBe(1000);
      expect(receiver.entryCount).toBe(1000);
    }, 30_000);
  }

  it('with a spool, lines logged before process.exit() are kept on disk and sent by the next start', async () => {
    await receiver.down();
    const spoolDir = path.join(dir, 'spool');
    const { stderr } = await run('exit-app.mjs', ['log-core', JSON.stringify({ ...exitOptions(), spoolDir }), '1000']);
    expect(stderr).toMatch(/1000 lines not yet accepted by Loki stay in the spool folder/);
    await receiver.up();
    const c = client({ spoolDir });
    await c.flush();
    expect(c.metrics().sentLines).toBe(1000);
    expect(receiver.entryCount).toBe(1000);
  }, 30_000);
});

describe('process.exit() while close() still waits for Loki (the SIGTERM soak loss)', () => {
  // An app's shutdown closes its handlers and exits when its own grace period ends, whether the
  // Loki queue has drained or not: what close() had not delivered yet was lost without a word.
  const closing = () => ({ ...exitOptions(), maxRetries: 1000, minBackoff: 50, maxBackoff: 100, drainTimeout: 10_000 });
  for (const face of ['log-core', 'winston', 'client']) {
    it(`${face}: the lines are reported on stderr with the reason`, async () => {
      await receiver.down();
      const { code, stderr } = await run('exit-app.mjs', [face, JSON.stringify(closing()), '1000', 'close-exit']);
      expect(code).toBe(0);
      expect(stderr).toMatch(
        /PACTOWN_LOKI_UNDELIVERED: at exit, 1000 lines were lost \(counted as dropped\.closed\): .*ECONNREFUSED/,
      );
    }, 30_000);

    it(`${face}: with a spool, they stay on disk and the next start sends them`, async () => {
      await receiver.down();
      const spoolDir = path.join(dir, `spool-${face}`);
      const options = { ...closing(), spoolDir };
      const { stderr } = await run('exit-app.mjs', [face, JSON.stringify(options), '1000', 'close-exit']);
      expect(stderr).toMatch(/at exit, 1000 lines not yet accepted by Loki stay in the spool folder/);
      await receiver.up();
      const c = client({ spoolDir });
      await c.flush();
      expect(c.metrics().sentLines).toBe(1000);
      expect(receiver.entryCount).toBe(1000);
    }, 30_000);
  }

  it('a Loki that answers slowly: lines are delivered at exit or reported, never both lost and silent', async () => {
    receiver.setLatency(2000);
    const { code, stderr } = await run('exit-app.mjs', ['client', JSON.stringify(closing()), '1000', 'close-exit']);
    expect(code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const lost = Number(/(\d+) lines were lost/.exec(stderr)?.[1] ?? 0);
    expect(lost + receiver.entryCount).toBeGreaterThanOrEqual(1000);
  }, 30_000);
});

describe("SIGTERM with log-core's handleExit() when its timeout ends the flush", () => {
  // handleExit() ends the process by raising the signal again, which runs no 'exit' listener:
  // lines the flush had not delivered by its timeout were lost without a word.
  const slow = () => ({ ...exitOptions(), maxRetries: 1000, minBackoff: 50, maxBackoff: 100, drainTimeout: 10_000 });
  for (const face of ['log-core', 'winston', 'client']) {
    it(`${face}: the lines are reported on stderr, and the process still ends by the signal`, async () => {
      await receiver.down();
      const child = spawn(process.execPath, [
        path.join(fixtures, 'exit-app.mjs'),
        face,
        JSON.stringify(slow()),
        '1000',
        'sigterm',
      ]);
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const [code, signal] = await once(child, 'exit');
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(stderr).toMatch(
        /PACTOWN_LOKI_UNDELIVERED: at exit, 1000 lines were lost \(counted as dropped\.closed\): .*ECONNREFUSED/,
      );
    }, 30_000);
  }

  it('log-core, with a spool: the lines stay on disk and the next start sends them', async () => {
    await receiver.down();
    const spoolDir = path.join(dir, 'spool');
    const child = spawn(process.execPath, [
      path.join(fixtures, 'exit-app.mjs'),
      'log-core',
      JSON.stringify({ ...slow(), spoolDir }),
      '1000',
      'sigterm',
    ]);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await once(child, 'exit');
    expect(stderr).toMatch(/at exit, 1000 lines not yet accepted by Loki stay in the spool folder/);
    await receiver.up();
    const c = client({ spoolDir });
    await c.flush();
    expect(c.metrics().sentLines).toBe(1000);
  }, 30_000);

  it('a Loki that is up: every line is delivered before the process ends by the signal', async () => {
    const child = spawn(process.execPath, [
      path.join(fixtures, 'exit-app.mjs'),
      'log-core',
      JSON.stringify(exitOptions()),
      '1000',
      'sigterm',
    ]);
    const [code, signal] = await once(child, 'exit');
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
    await receiver.waitForEntries(1000, 5000);
    expect(receiver.entryCount).toBe(1000);
  }, 30_000);
});

describe('pino transport at close (item 6)', () => {
  it('a Loki answering in 3 s at exit: every one of 100,000 lines is delivered', async () => {
    // This is about latency: Loki's ingestion rate limit (4 MiB/s, a 429 above it) is lifted.
    await receiver.close();
    receiver = await startLokiReceiver({
      ingestionRateBytes: Number.POSITIVE_INFINITY,
      perStreamRateBytes: Number.POSITIVE_INFINITY,
    });
    receiver.setLatency(3000);
    const { code } = await run('exit-app.mjs', ['pino', JSON.stringify(exitOptions()), '100000']);
    expect(code).toBe(0);
    expect(receiver.entryCount).toBe(100_000);
  }, 60_000);

  it('a Loki that never answers in time: the lost lines are reported with the reason', async () => {
    receiver.setLatency(3000);
    const { stderr } = await run('exit-app.mjs', [
      'pino',
      JSON.stringify({ ...exitOptions(), drainTimeout: 500 }),
      '5000',
    ]);
    const lost = Number(/(\d+) lines were lost/.exec(stderr)?.[1]);
    expect(stderr).toMatch(
      /PACTOWN_LOKI_UNDELIVERED: at close, \d+ lines were lost .*not delivered within drainTimeout \(500 ms\)/,
    );
    // Reported and delivered add up: nothing vanished without a word.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(lost + receiver.entryCount).toBe(5000);
  }, 30_000);
});

describe('a slow Loki that accepts everything (item 7)', () => {
  it('5 s per push at 10,000 lines/s for 16 s: no line dropped', async () => {
    receiver.setLatency(5000);
    // 2 MiB holds what 8 requests carry; one request at a time with 1 s batches overflows it after about 14 s.
    const c = client({ queueBytes: 2 * 1024 * 1024, drainTimeout: 30_000, timeout: 30_000 });
    let i = 0;
    const started = Date.now();
    while (Date.now() - started < 16_000) {
      const until = started + (i + 100) / 10;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
      for (const end = i + 100; i < end; i++) {
        c.push({
          level: 30,
          time: Date.now(),
          name: 'pactown.sandbox',
          msg: `Process started with PID: ${10_000 + i}`,
          service: `service_${i % 50}`,
          userId: `user${i % 1000}`,
          i,
        });
      }
    }
    await c.flush();
    const m = c.metrics();
    expect(Object.values(m.droppedLines).reduce((a, b) => a + b, 0)).toBe(0);
    expect(m.sentLines).toBe(i);
    expect(receiver.entryCount).toBe(i);
  }, 90_000);
});

describe('a spool folder that cannot be created (item 8)', () => {
  it('the pino worker goes on in memory with a warning and delivers every line', async () => {
    await fs.writeFile(path.join(dir, 'file'), 'not a folder');
    const spoolDir = path.join(dir, 'file', 'spool');
    const { code, stderr } = await run('exit-app.mjs', ['pino', JSON.stringify({ ...exitOptions(), spoolDir }), '500']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/PACTOWN_LOKI_SPOOL_UNAVAILABLE: the spool folder .* cannot be used \(ENOTDIR/);
    expect(receiver.entryCount).toBe(500);
  }, 30_000);

  it('the client counts it in spoolErrors and never throws', async () => {
    await fs.writeFile(path.join(dir, 'file'), 'not a folder');
    const warnings: string[] = [];
    const c = client({ spoolDir: path.join(dir, 'file', 'spool') }, warnings);
    c.push({ level: 30, time: Date.now(), msg: 'in memory' });
    await c.flush();
    expect(c.metrics().spoolErrors).toBe(1);
    expect(c.metrics().sentLines).toBe(1);
    expect(warnings.filter((w) => w.startsWith('PACTOWN_LOKI_SPOOL_UNAVAILABLE'))).toHaveLength(1);
  });
});

describe('a spool on a full disk (item 9)', () => {
  it('keeps the memory bound, warns once and leaves no partial temp file', async () => {
    const spoolDir = path.join(dir, 'spool');
    await receiver.down();
    const queueBytes = 256 * 1024;
    const batchBytes = 160 * 1024;
    // Every spool file is cut at 64 KiB (the kernel's file-size limit): each write fails part way, as on a full disk.
    const { stdout } = await run(
      'fill-app.mjs',
      [JSON.stringify({ url: receiver.url, spoolDir, queueBytes, batchBytes, drainTimeout: 100 }), '20000'],
      'ulimit -f 64',
    );
    const { metrics, peakMemory, warnings, files } = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(metrics.spoolErrors).toBeGreaterThan(5);
    expect(peakMemory).toBeLessThanOrEqual(queueBytes);
    expect(metrics.droppedLines.queue_full).toBeGreaterThan(0);
    expect(warnings.filter((w: string) => w.startsWith('PACTOWN_LOKI_SPOOL_WRITE'))).toHaveLength(1);
    expect(files.filter((f: string) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});

describe('SIGKILL with a spool (item 10)', () => {
  it('loses no more than spoolWindow of lines (200 ms, 2,000 lines at 10,000 lines/s)', async () => {
    const spoolDir = path.join(dir, 'spool');
    await receiver.down();
    const child = spawn(
      process.execPath,
      [
        path.join(fixtures, 'stream-app.mjs'),
        JSON.stringify({ url: receiver.url, labels: { service: 'api' }, spoolDir }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let pushed = 0;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const last = d.trim().split('\n').pop();
      if (last) pushed = Number(last);
    });
    await waitFor(() => pushed >= 15_000, '15,000 lines pushed', 30_000);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    await receiver.up();
    const c = client({ spoolDir, drainTimeout: 30_000 });
    await c.flush();
    const delivered = receiver.entryCount;
    expect(delivered).toBeGreaterThan(0);
    // The 200 ms window plus one 10 ms step of the fixture, with the timer's own lag.
    expect(pushed - delivered).toBeLessThanOrEqual(2000 + 500);
  }, 60_000);
});

describe('a folder named like a spool batch (item 11)', () => {
  it('is not counted, not read, not removed, and new batches do not collide with it', async () => {
    const spoolDir = path.join(dir, 'spool');
    await fs.mkdir(path.join(spoolDir, '000000000007-5-50.pb'), { recursive: true });
    const warnings: string[] = [];
    const c = client({ spoolDir }, warnings);
    expect(c.metrics().spoolBatches).toBe(0);
    expect(c.metrics().queueLines).toBe(0);
    expect(warnings.join('\n')).toMatch(/left alone in the spool folder .*000000000007-5-50\.pb/);
    c.push({ level: 30, time: Date.now(), msg: 'after the folder' });
    await c.flush();
    expect(c.metrics().sentLines).toBe(1);
    expect(c.metrics().droppedLines.rejected).toBe(0);
    expect(await fs.readdir(spoolDir)).toEqual(['000000000007-5-50.pb']);
  });
});
