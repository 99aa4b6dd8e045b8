import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LokiReceiver } from '@pactown/loki-receiver';
import { type TempDir, tempDir, waitFor } from '@pactown/test-helpers';
import { startLokiReceiver } from './helpers/receiver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLokiClient } from '../src/index.js';

const APP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'spool-app.mjs');
let receiver: LokiReceiver;
let tmp: TempDir;
let dir: string;

function run(args: string[]) {
  const child = spawn(process.execPath, [APP, receiver.url, dir, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const firstLine = new Promise<string>((resolve) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
  });
  return { child, firstLine };
}

beforeEach(async () => {
  receiver = await startLokiReceiver();
  tmp = await tempDir('loki-spool-');
  dir = tmp.path;
});
afterEach(async () => {
  await receiver.close();
  await tmp.remove();
});

describe('spool', () => {
  it('SIGKILL then restart: every line that reached the spool is delivered', async () => {
    await receiver.down({ mode: 'reset' });
    const n = 20_000;
    const writer = run(['write', String(n)]);
    expect(await writer.firstLine).toMatch(/^spooled \d+$/);
    const killed = once(writer.child, 'exit');
    writer.child.kill('SIGKILL');
    const [, signal] = await killed;
    expect(signal).toBe('SIGKILL');
    expect((await fs.readdir(dir)).length).toBeGreaterThan(0);
    await receiver.up();
    const drainer = run(['drain']);
    const metrics = JSON.parse(await drainer.firstLine);
    await once(drainer.child, 'exit');
    expect(metrics.sentLines).toBe(n);
    expect(new Set(receiver.entries().map((e) => e.line)).size).toBe(n);
    expect(await fs.readdir(dir)).toEqual([]);
  }, 120_000);

  it('keeps the spool within its bound with drop-oldest, counted', async () => {
    await receiver.down({ mode: 'reset' });
    const c = createLokiClient({
      url: receiver.url,
      spoolDir: dir,
      spoolBytes: 64 * 1024,
      batchBytes: 8 * 1024,
      metricsInterval: 0,
      minBackoff: 20,
      maxBackoff: 50,
      maxRetries: 1000,
      drainTimeout: 200,
      onWarning: () => {},
    });
    for (let i = 0; i < 20_000; i++)
      c.push({ level: 30, time: Date.now(), name: 'pactown.spool', msg: `line ${i} ${(i * 2654435761) % 1e9}` });
    c.push({ level: 30, time: Date.now(), name: 'pactown.spool', msg: 'last' });
    await c.flush().catch(() => {});
    let size = 0;
    for (const f of await fs.readdir(dir)) size += (await fs.stat(path.join(dir, f))).size;
    expect(size).toBeLessThanOrEqual(64 * 1024 + 8 * 1024);
    expect(c.metrics().droppedLines.queue_full).toBeGreaterThan(0);
    await receiver.up();
    await waitFor(() => c.metrics().queueLines === 0, 'the spool to drain', 60_000);
    const m = c.metrics();
    expect(m.sentLines + m.droppedLines.queue_full).toBe(20_001);
    expect(receiver.query('{logger="pactown.spool"} |= "last"').result).toHaveLength(1);
    await c.close();
  }, 60_000);
});
