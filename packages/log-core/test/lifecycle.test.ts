import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileHandler, flush, getLogger, rotatingFileHandler, shutdown, transportHandler } from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';
import { uniqueName } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir('log-core-exit-');
});
afterEach(async () => {
  await tmp.remove();
});

const fixture = path.join(import.meta.dirname, 'fixtures/exit-through-transport.mjs');

async function runFixture(file: string, count: number, how: string, kind = 'transport', mode = 'handle-exit') {
  const child = spawn(process.execPath, [fixture, file, String(count), how, kind, mode], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  return { code, signal, stderr };
}

async function checkLines(file: string, count: number) {
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  expect(lines.pop()).toBe('');
  expect(lines).toHaveLength(count);
  for (let i = 0; i < count; i += 9973)
    expect(JSON.parse(lines[i]!)).toMatchObject({ i, msg: `line ${i}`, name: 'exit.test', level: 30 });
  expect(JSON.parse(lines.at(-1)!).i).toBe(count - 1);
}

describe('flush on exit', () => {
  it('keeps all 100,000 lines written through a worker transport when the process calls process.exit()', async () => {
    const file = path.join(tmp.path, 'out', 'exit.log');
    const result = await runFixture(file, 100_000, 'exit');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    await checkLines(file, 100_000);
  });

  it.each(['file', 'rotating'])('keeps all 100,000 lines of a %s handler through process.exit()', async (kind) => {
    const file = path.join(tmp.path, kind, 'exit.log');
    const result = await runFixture(file, 100_000, 'exit', kind);
    expect(result.code).toBe(0);
    await checkLines(file, 100_000);
  });

  it.each(['file', 'rotating'])(
    'exit without handleExit() loses no line of a %s handler (flushed at exit by default)',
    async (kind) => {
      const file = path.join(tmp.path, `default-${kind}`, 'exit.log');
      const result = await runFixture(file, 1000, 'exit', kind, 'default');
      expect(result.code).toBe(0);
      await checkLines(file, 1000);
    },
  );

  it('configure({ flushOnExit: false }) turns the default exit flush off', async () => {
    const file = path.join(tmp.path, 'opt-out', 'exit.log');
    // 100,000 lines outrun what the asynchronous writer gets to disk before exit: without the flush some are missing.
    const result = await runFixture(file, 100_000, 'exit', 'file', 'opt-out');
    expect(result.code).toBe(0);
    const lines = (await fs.readFile(file, 'utf8').catch(() => '')).split('\n').length - 1;
    expect(lines).toBeLessThan(100_000);
  });

  it('flushes on SIGTERM, then ends by that signal', async () => {
    const file = path.join(tmp.path, 'term.log');
    const result = await runFixture(file, 20_000, 'sigterm');
    expect(result.signal).toBe('SIGTERM');
    await checkLines(file, 20_000);
  });

  it('ends a worker transport on SIGTERM before the process goes down, so a target that writes at its end loses nothing', async () => {
    // The target holds every line until its stream ends (as a batching shipper does): a flush of the worker's
    // input alone leaves them in memory, and raising the signal again would lose all 1,000.
    const file = path.join(tmp.path, 'buffered.log');
    const result = await runFixture(file, 1000, 'sigterm', 'buffering');
    expect(result.signal).toBe('SIGTERM');
    await checkLines(file, 1000);
  });

  it('flushes on a normal end of the program', async () => {
    const file = path.join(tmp.path, 'normal.log');
    const result = await runFixture(file, 20_000, 'return');
    expect(result.code).toBe(0);
    await checkLines(file, 20_000);
  });
});

describe('flush() and shutdown()', () => {
  it('resolve only once files and worker transports hold every line', async () => {
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    const files = {
      file: path.join(tmp.path, 'f.log'),
      rotating: path.join(tmp.path, 'r.log'),
      worker: path.join(tmp.path, 'w.log'),
    };
    const handlers = [
      fileHandler({ filename: files.file }),
      rotatingFileHandler({ filename: files.rotating, maxBytes: 1 << 30, backupCount: 1 }),
      transportHandler({ target: 'pino/file', options: { destination: files.worker } }),
    ];
    for (const h of handlers) log.addHandler(h);
    for (let i = 0; i < 5000; i++) log.info('line %d', i);
    await flush();
    for (const file of Object.values(files)) {
      expect((await fs.readFile(file, 'utf8')).split('\n')).toHaveLength(5001);
    }
    log.info('via pino flush');
    await new Promise<void>((resolve, reject) => log.flush((error) => (error ? reject(error) : resolve())));
    expect((await fs.readFile(files.file, 'utf8')).split('\n')).toHaveLength(5002);
    log.info('last');
    await shutdown();
    for (const file of Object.values(files)) {
      expect((await fs.readFile(file, 'utf8')).split('\n')).toHaveLength(5003);
    }
    for (const h of handlers) expect(h.errors).toBe(0);
  });
});

describe('handleExit next to another SIGTERM listener', () => {
  const other = path.join(import.meta.dirname, 'fixtures/exit-with-other-listener.mjs');

  it.each(['signal-exit', 'cooperative'])(
    'does not deadlock with a %s listener: stops, flushes and exits',
    async (kind) => {
      const file = path.join(tmp.path, `other-${kind}.log`);
      const child = spawn(process.execPath, [other, file, kind], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => c.includes('ready') && resolve()));
      child.kill('SIGTERM');
      // Before: each listener waited for the other and the process kept running.
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
      clearTimeout(killer);
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      const lines = (await fs.readFile(file, 'utf8')).trimEnd().split('\n');
      expect(lines.filter((l) => l.startsWith('line '))).toHaveLength(5000);
      expect(lines).toContain('services stopped on SIGTERM');
      if (kind === 'signal-exit') expect(await fs.readFile(`${file}.hook`, 'utf8')).toBe('signal-exit hook ran');
      else expect(lines).toContain('cooperative listener saw the signal');
    },
  );
});
