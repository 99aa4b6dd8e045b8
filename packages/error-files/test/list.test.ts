import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorFileError, cleanErrorFiles, listErrorFiles, readErrorFile, writeErrorFile } from '../src/index.js';
import { SEED_FILE, seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-list-'));
});
afterEach(() => cleanup());

describe('listErrorFiles', () => {
  it('lists service, index, time, exit, category and size, newest first', async () => {
    await writeErrorFile(seedReport({ serviceId: 'a', endedAt: '2026-03-01T00:00:00.000Z' }), { logDir: dir });
    await writeErrorFile(
      seedReport({ serviceId: 'a', endedAt: '2026-05-01T00:00:00.000Z', exit: { ...seedReport().exit, code: 1 } }),
      { logDir: dir },
    );
    await writeErrorFile(
      seedReport({ serviceId: 'b', endedAt: '2026-04-01T00:00:00.000Z', category: 'port_conflict' }),
      { logDir: dir },
    );
    const legacy = path.join(dir, 'service_py_error.log');
    await writeFile(legacy, SEED_FILE);
    const t = Date.parse('2026-02-01T00:00:00.000Z') / 1000;
    await utimes(legacy, t, t);
    const entries = await listErrorFiles(dir);
    expect(entries.map((e) => [e.serviceId, e.index, e.time, e.exitCode, e.category])).toEqual([
      ['a', 0, '2026-05-01T00:00:00.000Z', 1, 'dependency'],
      ['b', 0, '2026-04-01T00:00:00.000Z', -15, 'port_conflict'],
      ['a', 1, '2026-03-01T00:00:00.000Z', -15, 'dependency'],
      ['py', 0, '2026-02-01T00:00:00.000Z', -15, 'unknown'],
    ]);
    expect(entries[3]!.size).toBe(Buffer.byteLength(SEED_FILE));
  });

  it('sees rewritten and edited files on a repeated listing', async () => {
    const file = await writeErrorFile(seedReport({ category: 'dependency' }), { logDir: dir, history: 0 });
    expect((await listErrorFiles(dir))[0]!.category).toBe('dependency');
    await writeErrorFile(seedReport({ category: 'syntax' }), { logDir: dir, history: 0 });
    expect((await listErrorFiles(dir))[0]!.category).toBe('syntax');
    // Edited in place (same inode): a new change time and size.
    await writeFile(file, SEED_FILE);
    expect((await listErrorFiles(dir))[0]).toMatchObject({ category: 'unknown', size: Buffer.byteLength(SEED_FILE) });
  });

  it('finds the header past a long first chunk', async () => {
    const long = 'c'.repeat(4000);
    await writeErrorFile(seedReport({ command: long, endedAt: '2026-07-01T00:00:00.000Z', category: 'syntax' }), {
      logDir: dir,
    });
    const [entry] = await listErrorFiles(dir);
    expect(entry).toMatchObject({ time: '2026-07-01T00:00:00.000Z', category: 'syntax' });
  });

  it('rejects with code PACTOWN_ERRORS_LIST_FAILED (system code ENOENT) for a missing folder', async () => {
    const error = await listErrorFiles(path.join(dir, 'missing')).catch((e) => e);
    expect(error).toBeInstanceOf(ErrorFileError);
    expect(error).toMatchObject({ code: 'PACTOWN_ERRORS_LIST_FAILED', systemCode: 'ENOENT' });
  });

  it('readErrorFile: PACTOWN_ERRORS_NOT_FOUND (system code ENOENT) names the file', async () => {
    const error = await readErrorFile(dir, 'none').catch((e) => e);
    expect(error).toMatchObject({ code: 'PACTOWN_ERRORS_NOT_FOUND', systemCode: 'ENOENT' });
    expect(error.message).toContain(path.join(dir, 'service_none_error.log'));
  });
});

describe('cleanErrorFiles', () => {
  it('removes files older than the limit, and stale temp and lock files', async () => {
    const old = await writeErrorFile(seedReport({ serviceId: 'old' }), { logDir: dir });
    const fresh = await writeErrorFile(seedReport({ serviceId: 'fresh' }), { logDir: dir });
    const tmp = path.join(dir, '.service_old_error.log.123.1.abc.tmp');
    await writeFile(tmp, 'half');
    const past = Date.now() / 1000 - 3600;
    for (const f of [old, tmp]) await utimes(f, past, past);
    expect(await cleanErrorFiles(dir, { olderThanMs: 60_000 })).toEqual(expect.arrayContaining([old, tmp]));
    expect((await listErrorFiles(dir)).map((e) => e.path)).toEqual([fresh]);
    await expect(cleanErrorFiles(dir, { olderThanMs: -1 })).rejects.toThrow(/olderThanMs/);
  });
});
