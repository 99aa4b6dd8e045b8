import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileHandler, getLogger, handlerHealth, rotatingFileHandler } from '../src/index.js';
import type { ManagedHandler } from '../src/index.js';
import { tempDir, waitFor } from '@pactown/test-helpers';
import { uniqueName } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir('log-core-faults-');
});
afterEach(async () => {
  await tmp.remove();
});

const messageOnly = (r: { message: string }) => r.message;

function logger(handler: ManagedHandler) {
  const log = getLogger(uniqueName('faults'));
  log.setLevel('INFO');
  log.addHandler(handler);
  return log;
}

async function lines(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return text === '' ? [] : text.slice(0, -1).split('\n');
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${from + i}`);

describe.each([
  ['file', (filename: string) => fileHandler({ filename, formatter: messageOnly })],
  [
    'rotating-file',
    (filename: string) =>
      rotatingFileHandler({ filename, maxBytes: 10 * 1024 * 1024, backupCount: 3, formatter: messageOnly }),
  ],
])('%s handler', (_kind, make) => {
  it('a log folder deleted while running loses no later line: the file is opened again', async () => {
    const file = path.join(tmp.path, 'logs', 'app.log');
    const h = make(file);
    const log = logger(h);
    for (let i = 0; i < 100; i++) log.info(`line ${i}`);
    await h.flush();
    await fs.rm(path.join(tmp.path, 'logs'), { recursive: true });
    for (let i = 100; i < 3000; i++) log.info(`line ${i}`);
    await h.close();
    expect(await lines(file)).toEqual(range(100, 3000));
    expect(h.errors).toBe(0);
  });

  it('a logrotate-style move (rename, then a new file expected) sends later lines to the new file', async () => {
    const file = path.join(tmp.path, 'app.log');
    const h = make(file);
    const log = logger(h);
    for (let i = 0; i < 500; i++) log.info(`line ${i}`);
    await h.flush();
    await fs.rename(file, `${file}-20261203`);
    for (let i = 500; i < 1000; i++) log.info(`line ${i}`);
    await h.flush();
    // logrotate's `create`: an empty file appears under the name; lines go on into it.
    await fs.rename(file, `${file}-20261204`);
    await fs.writeFile(file, '');
    for (let i = 1000; i < 1500; i++) log.info(`line ${i}`);
    await h.close();
    expect(await lines(`${file}-20261203`)).toEqual(range(0, 500));
    expect(await lines(`${file}-20261204`)).toEqual(range(500, 1000));
    expect(await lines(file)).toEqual(range(1000, 1500));
  });

  it('ENOSPC does not kill the handler: lost lines are counted, it is degraded, then recovers on its own', async () => {
    const file = path.join(tmp.path, 'full.log');
    // A real full disk: every write to /dev/full fails with ENOSPC.
    await fs.symlink('/dev/full', file);
    const h = make(file);
    const log = logger(h);
    for (let i = 0; i < 50; i++) log.info(`line ${i}`);
    await h.flush();
    await waitFor(() => h.health.state === 'degraded');
    expect(h.health.lastError).toMatch(/ENOSPC/);
    expect(handlerHealth().find((x) => x.name === h.name)?.state).toBe('degraded');
    expect(h.errors).toBeGreaterThanOrEqual(50);
    // Space comes back: the path names a writable file again.
    await fs.unlink(file);
    await fs.writeFile(file, '');
    let i = 50;
    await waitFor(async () => {
      log.info(`probe ${i++}`);
      await h.flush();
      return h.health.state === 'ok';
    });
    const lostBefore = h.errors;
    for (let j = 0; j < 200; j++) log.info(`line ${1000 + j}`);
    await h.close();
    const written = await lines(file);
    expect(written.slice(-200)).toEqual(range(1000, 1200));
    // Every record is either in the file or counted.
    expect(written.length + lostBefore).toBe(i + 200);
  });
});

describe('rotatingFileHandler backupCount 0', () => {
  it('never rolls over, as Python (before, each rollover deleted the file)', async () => {
    const file = path.join(tmp.path, 'zero.log');
    const h = rotatingFileHandler({ filename: file, maxBytes: 100, backupCount: 0, formatter: messageOnly });
    const log = logger(h);
    for (let i = 0; i < 100; i++) log.info(`line ${i}`);
    await h.close();
    expect(await lines(file)).toEqual(range(0, 100));
    await expect(fs.access(`${file}.1`)).rejects.toThrow();
  });
});
