import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import { runChild, tempDir, waitFor } from '@pactown/test-helpers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODES, fileHandler, getLogger, rotatingFileHandler } from '../src/index.js';
import { uniqueName } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let reader: ChildProcess | undefined;
beforeEach(async () => {
  tmp = await tempDir('log-core-behind-');
});
afterEach(async () => {
  if (reader !== undefined && reader.exitCode === null) {
    reader.kill('SIGKILL');
    await once(reader, 'exit');
  }
  reader = undefined;
  await tmp.remove();
});

/**
 * A FIFO whose reader holds it open but reads nothing until `start()`: a disk
 * that does not keep up. Once started, it copies everything to `out`.
 */
async function slowDisk(): Promise<{ fifo: string; out: string; start(): void; done: Promise<unknown> }> {
  const fifo = tmp.join('slow.log');
  const out = tmp.join('received.log');
  const made = await runChild('mkfifo', [fifo]);
  expect(made.code).toBe(0);
  const script = `
    const fs = require('node:fs');
    process.stdout.write('opening\\n');
    const fd = fs.openSync(process.argv[1], 'r');
    process.stdin.once('data', () => {
      process.stdin.destroy();
      fs.createReadStream(null, { fd })
        .pipe(fs.createWriteStream(process.argv[2]))
        .on('finish', () => process.exit(0));
    });`;
  reader = spawn(process.execPath, ['-e', script, fifo, out], { stdio: ['pipe', 'pipe', 'inherit'] });
  let said = '';
  reader.stdout!.on('data', (d) => (said += d));
  await waitFor(() => said.includes('opening'), 'the reader to open the FIFO', 10_000);
  const child = reader;
  return { fifo, out, start: () => child.stdin!.write('go\n'), done: once(child, 'exit') };
}

describe.each([
  ['fileHandler', (filename: string, maxPendingBytes: number) => fileHandler({ filename, maxPendingBytes })],
  [
    'rotatingFileHandler',
    (filename: string, maxPendingBytes: number) =>
      rotatingFileHandler({ filename, maxBytes: 0, backupCount: 0, maxPendingBytes }),
  ],
])('%s on a disk that does not keep up', (_name, make) => {
  it('holds at most maxPendingBytes, drops the newest records counted, and delivers the rest in order', async () => {
    const disk = await slowDisk();
    const max = 256 * 1024;
    const handler = make(disk.fifo, max);
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.propagate = false;
    log.addHandler(handler);
    const total = 4000;
    const pad = 'x'.repeat(1000);
    // One synchronous burst: nothing reaches the disk meanwhile, so the bound alone decides what is kept.
    for (let i = 0; i < total; i++) log.info(`line ${i} ${pad}`);
    expect(handler.errors).toBeGreaterThan(total / 2);
    disk.start();
    await handler.flush();
    await handler.close();
    await disk.done;
    const lines = (await fs.readFile(disk.out, 'utf8')).split('\n').filter(Boolean);
    // Every record is either in the file, in order, or counted.
    expect(lines.length + handler.errors).toBe(total);
    const numbers = lines.map((l) => Number(/line (\d+) /.exec(l)![1]));
    expect(numbers).toEqual(numbers.map((_, i) => i));
    const bytes = lines.reduce((n, l) => n + l.length + 1, 0);
    expect(bytes).toBeLessThanOrEqual(max + 1200);
    expect(bytes).toBeGreaterThan(max - 1200);
  }, 60_000);
});

describe('maxPendingBytes', () => {
  it('is checked, and has a code for the drops', () => {
    expect(() => fileHandler({ filename: tmp.join('a.log'), maxPendingBytes: -1 })).toThrow(/maxPendingBytes/);
    expect(() =>
      rotatingFileHandler({ filename: tmp.join('b.log'), maxBytes: 1, backupCount: 1, maxPendingBytes: 1.5 }),
    ).toThrow(TypeError);
    expect(CODES.FILE_BEHIND).toBe('PACTOWN_CORE_FILE_BEHIND');
  });
});
