import { chmod, lstat, mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorFilePath, listErrorFiles, parseErrorFile, readErrorFile, writeErrorFile } from '../src/index.js';
import { seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';
import { leftovers } from './support.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-write-'));
});
afterEach(() => cleanup());

describe('writeErrorFile', () => {
  it('writes {logDir}/service_{id}_error.log, 0600 in a 0700 folder', async () => {
    const logDir = path.join(dir, 'logs');
    const file = await writeErrorFile(seedReport(), { logDir });
    expect(file).toBe(path.join(logDir, 'service_123_error.log'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(logDir)).mode & 0o777).toBe(0o700);
    expect(await leftovers(logDir)).toEqual([]);
  });

  it('narrows an existing folder of ours to 0700', async () => {
    await chmod(dir, 0o777);
    await writeErrorFile(seedReport(), { logDir: dir });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('uses $PACTOWN_LOG_DIR when no logDir is given', async () => {
    const before = process.env.PACTOWN_LOG_DIR;
    process.env.PACTOWN_LOG_DIR = path.join(dir, 'from-env');
    try {
      expect(await writeErrorFile(seedReport())).toBe(path.join(dir, 'from-env', 'service_123_error.log'));
    } finally {
      if (before === undefined) delete process.env.PACTOWN_LOG_DIR;
      else process.env.PACTOWN_LOG_DIR = before;
    }
  });

  it('keeps history .1 ... .N, newest first, oldest dropped', async () => {
    for (let i = 0; i < 8; i++)
      await writeErrorFile(seedReport({ stderrTail: `crash ${i}\n` }), { logDir: dir, history: 3 });
    const names = (await readdir(dir)).filter((n) => !n.endsWith('.old')).sort();
    expect(names).toEqual([
      'service_123_error.log',
      'service_123_error.log.1',
      'service_123_error.log.2',
      'service_123_error.log.3',
    ]);
    for (const [index, n] of [
      [0, 7],
      [1, 6],
      [2, 5],
      [3, 4],
    ] as const) {
      expect((await readErrorFile(dir, '123', { index })).stderrTail).toBe(`crash ${n}\n`);
    }
  });

  it('deletes the dropped oldest entry after the write', async () => {
    for (let i = 0; i < 4; i++) await writeErrorFile(seedReport(), { logDir: dir, history: 2 });
    // The deletion runs in the background: wait for the folder to settle (bounded, no timers).
    let names = await readdir(dir);
    for (let i = 0; i < 10_000 && names.some((n) => n.endsWith('.old')); i++) names = await readdir(dir);
    expect(names.sort()).toEqual(['service_123_error.log', 'service_123_error.log.1', 'service_123_error.log.2']);
  });

  it('durable: fsyncs and still writes the same file', async () => {
    const file = await writeErrorFile(seedReport(), { logDir: dir, durable: true });
    expect(parseErrorFile(await readFile(file, 'utf8')).serviceId).toBe('123');
  });

  it('overwrites in place with history 0', async () => {
    await writeErrorFile(seedReport({ stderrTail: 'a\n' }), { logDir: dir, history: 0 });
    await writeErrorFile(seedReport({ stderrTail: 'b\n' }), { logDir: dir, history: 0 });
    expect(await readdir(dir)).toEqual(['service_123_error.log']);
    expect((await readErrorFile(dir, '123')).stderrTail).toBe('b\n');
  });

  it('bounds tails, the FILES list and the whole file', async () => {
    const files = Array.from({ length: 250 }, (_, i) => `f${i}.py`);
    const big = `${'e'.repeat(300_000)}\nlast error line\n`;
    const file = await writeErrorFile(
      seedReport({ stderrTail: big, stdoutTail: 'o'.repeat(200_000), stderrDroppedBytes: 10, files }),
      { logDir: dir },
    );
    const text = await readFile(file, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(262_144);
    expect(text).toContain(
      `--- STDERR ---\n[... ${10 + Buffer.byteLength(big) - 65_536} bytes cut before this point ...]\n`,
    );
    expect(text).toContain('[... 50 more files not shown ...]');
    const back = parseErrorFile(text);
    expect(back.stderrTail.endsWith('last error line\n')).toBe(true);
    expect(back.files).toHaveLength(200);
    expect(back.filesOmitted).toBe(50);
  });

  it('takes the dropped-byte counts from their fields and never reads a count out of the text', async () => {
    const file = await writeErrorFile(
      seedReport({
        stderrTail: 'end of output\n',
        stderrDroppedBytes: 4096,
        stdoutTail: 'out\n',
        stdoutDroppedBytes: 7,
      }),
      { logDir: dir },
    );
    const text = await readFile(file, 'utf8');
    expect(text).toContain(
      '--- STDERR ---\n[... 4096 bytes cut before this point ...]\nend of output\n\n--- STDOUT ---\n[... 7 bytes cut before this point ...]\nout\n',
    );
    expect(await readErrorFile(dir, '123')).toMatchObject({
      stderrTail: 'end of output\n',
      stderrDroppedBytes: 4096,
      stdoutDroppedBytes: 7,
    });
    // Text that looks like a count is output like any other, kept as printed (escaped in the file).
    const lookalike = '[... 4096 bytes dropped ...]\nend of output\n';
    await writeErrorFile(seedReport({ stderrTail: lookalike, stderrDroppedBytes: 4096 }), { logDir: dir });
    expect(await readErrorFile(dir, '123')).toMatchObject({ stderrTail: lookalike, stderrDroppedBytes: 4096 });
  });

  it('cuts tails further to respect maxFileBytes, stderr keeping the larger share', async () => {
    const file = await writeErrorFile(
      seedReport({ stderrTail: 'e'.repeat(200_000), stdoutTail: 'o'.repeat(200_000) }),
      {
        logDir: dir,
        tailBytes: 200_000,
        maxFileBytes: 65_536,
      },
    );
    expect((await stat(file)).size).toBeLessThanOrEqual(65_536);
    const back = await readErrorFile(dir, '123');
    expect(back.stderrTail.length).toBeGreaterThan(back.stdoutTail.length);
    expect(back.stderrDroppedBytes + back.stderrTail.length).toBe(200_000);
    expect(back.stdoutDroppedBytes + back.stdoutTail.length).toBe(200_000);
  });

  it('redacts secrets and strips ANSI colour codes', async () => {
    const report = seedReport({
      command: 'API_KEY=sk-live-123456 DATABASE_URL=postgres://app:hunter2@db/app uvicorn main:app',
      stderrTail: '\x1b[31mError\x1b[0m: Authorization: Bearer eyJabcdefgh.zzz\npassword = "s3cret"\n',
    });
    const file = await writeErrorFile(report, { logDir: dir, redactPatterns: [/internal-\d+/] });
    const text = await readFile(file, 'utf8');
    for (const secret of ['sk-live-123456', 'hunter2', 'eyJabcdefgh', 's3cret', '\x1b'])
      expect(text).not.toContain(secret);
    expect(text).toContain(
      'Command: API_KEY=[REDACTED] DATABASE_URL=postgres://app:[REDACTED]@db/app uvicorn main:app',
    );
    expect(text).toContain('Error: Authorization: Bearer [REDACTED]');
  });

  it('keeps colours and secrets when asked to', async () => {
    await writeErrorFile(seedReport({ stderrTail: '\x1b[31mTOKEN=abc\x1b[0m\n' }), {
      logDir: dir,
      stripAnsi: false,
      redact: false,
    });
    expect((await readErrorFile(dir, '123')).stderrTail).toBe('\x1b[31mTOKEN=abc\x1b[0m\n');
  });

  it('caps the folder size, removing the oldest files first', async () => {
    const hour = 3600;
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const file = await writeErrorFile(seedReport({ serviceId: id, stderrTail: 'x'.repeat(3000) }), { logDir: dir });
      const t = Date.now() / 1000 - (3 - i) * hour;
      await utimes(file, t, t);
    }
    const sizes = await Promise.all((await readdir(dir)).map(async (n) => (await stat(path.join(dir, n))).size));
    const one = sizes[0]!;
    await writeErrorFile(seedReport({ serviceId: 'd', stderrTail: 'x'.repeat(3000) }), {
      logDir: dir,
      maxFolderBytes: one * 2 + 10,
    });
    expect((await listErrorFiles(dir)).map((e) => e.serviceId).sort()).toEqual(['c', 'd']);
  });

  it('rejects bad options with a TypeError naming the option, without throwing synchronously', async () => {
    let promise: Promise<string> | undefined;
    expect(() => {
      promise = writeErrorFile(seedReport(), { logDir: dir, tailBytes: -1 });
    }).not.toThrow();
    await expect(promise).rejects.toThrow(TypeError);
    await expect(writeErrorFile(seedReport(), { logDir: dir, tailBytes: -1 })).rejects.toThrow(
      /option 'tailBytes'.*got -1/,
    );
    await expect(writeErrorFile(seedReport(), { logDir: dir, maxFileBytes: 10 })).rejects.toThrow(/maxFileBytes/);
    await expect(writeErrorFile(null as never, { logDir: dir })).rejects.toThrow(/service id/);
  });
});

describe('concurrent writers for one service (one process)', () => {
  it('leaves whole files only and exactly history + 1 of them', async () => {
    const n = 25;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        writeErrorFile(seedReport({ stderrTail: `writer ${i}\n${'y'.repeat(20_000)}\n` }), { logDir: dir }),
      ),
    );
    const names = (await readdir(dir)).filter((n) => n.startsWith('service_')).sort();
    expect(names).toHaveLength(6);
    expect(await leftovers(dir)).toEqual([]);
    const writers = new Set<string>();
    for (const name of names) {
      const r = parseErrorFile(await readFile(path.join(dir, name), 'utf8'));
      expect(r.format).toBe('pactown');
      expect(r.files).toEqual(['main.py', 'requirements.txt', '.venv']);
      writers.add(r.stderrTail.split('\n')[0]!);
    }
    expect(writers.size).toBe(6);
  });
});

describe('paths', () => {
  it('errorFilePath builds the seed name and refuses unsafe ids', () => {
    expect(errorFilePath('/logs', '123')).toBe(path.join('/logs', 'service_123_error.log'));
    expect(errorFilePath('/logs', 'my-api', 2)).toBe(path.join('/logs', 'service_my-api_error.log.2'));
    for (const id of ['../x', 'a/b', '..', '.hidden', '', 'a\\b', 'a\0b', 'x'.repeat(65), 'a..b', '-rf']) {
      expect(() => errorFilePath('/logs', id), JSON.stringify(id)).toThrow(TypeError);
    }
  });

  it('lstat sees a regular file after a write over a dangling target name', async () => {
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', 'x'), '');
    const file = await writeErrorFile(seedReport(), { logDir: path.join(dir, 'sub') });
    expect((await lstat(file)).isFile()).toBe(true);
  });
});
