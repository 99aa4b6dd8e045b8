import { execFileSync } from 'node:child_process';
import { utimesSync } from 'node:fs';
import { lchown, link, lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ErrorFilesFs, listErrorFiles, readErrorFile, writeErrorFile } from '../src/index.js';
import { lockClock } from '../src/lock.js';
import { seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';
import { isRoot, leftovers } from './support.js';

let dir: string;
let logDir: string;
let victim: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-sec-'));
  logDir = path.join(dir, 'logs');
  await mkdir(logDir, { mode: 0o700 });
  victim = path.join(dir, 'victim.txt');
  await writeFile(victim, 'precious\n');
});
afterEach(() => cleanup());

describe('symlink attacks', () => {
  it('a link planted at the target is replaced, never followed', async () => {
    const target = path.join(logDir, 'service_123_error.log');
    await symlink(victim, target);
    await writeErrorFile(seedReport(), { logDir });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect((await lstat(target)).isFile()).toBe(true);
    // The planted link was dropped, not kept as history.
    expect(await readdir(logDir)).toEqual(['service_123_error.log']);
  });

  it('links planted at history names do not redirect rotation', async () => {
    await writeErrorFile(seedReport(), { logDir });
    for (const i of [1, 2, 3]) await symlink(victim, path.join(logDir, `service_123_error.log.${i}`));
    for (let i = 0; i < 4; i++) await writeErrorFile(seedReport({ stderrTail: `n${i}\n` }), { logDir });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    for (const i of [1, 2, 3])
      expect((await lstat(path.join(logDir, `service_123_error.log.${i}`))).isFile()).toBe(true);
  });

  it('readErrorFile refuses a link; listErrorFiles skips it', async () => {
    await writeErrorFile(seedReport({ serviceId: 'real' }), { logDir });
    await symlink(path.join(logDir, 'service_real_error.log'), path.join(logDir, 'service_fake_error.log'));
    await expect(readErrorFile(logDir, 'fake')).rejects.toThrow(/symbolic link/);
    expect((await listErrorFiles(logDir)).map((e) => e.serviceId)).toEqual(['real']);
  });

  it.runIf(isRoot)("refuses a log folder that is another user's link", async () => {
    const link = path.join(dir, 'linked-logs');
    await symlink(logDir, link);
    await lchown(link, 4242, 4242);
    await expect(writeErrorFile(seedReport(), { logDir: link })).rejects.toThrow(/symbolic link owned by another user/);
    expect(await readdir(logDir)).toEqual([]);
  });

  it.runIf(isRoot)("refuses another user's folder that others can write to", async () => {
    const shared = path.join(dir, 'shared');
    await mkdir(shared, { mode: 0o777 });
    const { chmod, chown } = await import('node:fs/promises');
    await chmod(shared, 0o777);
    await chown(shared, 4242, 4242);
    await expect(writeErrorFile(seedReport(), { logDir: shared })).rejects.toThrow(/writable by others/);
  });

  it('a link planted at the exact temp name is not written through', async () => {
    // Plant the link between the choice of the temp name and its opening.
    const fs = await import('node:fs');
    const racing = {
      ...fs,
      openSync: (file: string, flags: number, mode: number) => {
        if (String(file).endsWith('.tmp')) fs.symlinkSync(victim, file);
        return fs.openSync(file, flags, mode);
      },
    } as unknown as ErrorFilesFs;
    await expect(writeErrorFile(seedReport(), { logDir, fs: racing })).rejects.toThrow(/EEXIST/);
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
  });
});

describe('special files', () => {
  it('a FIFO or a folder under an error-file name neither hangs nor breaks listing and reading', async () => {
    await writeErrorFile(seedReport({ serviceId: 'real' }), { logDir });
    execFileSync('mkfifo', [path.join(logDir, 'service_fifo_error.log')]);
    await mkdir(path.join(logDir, 'service_dir_error.log'));
    expect((await listErrorFiles(logDir)).map((e) => e.serviceId)).toEqual(['real']);
    await expect(readErrorFile(logDir, 'fifo')).rejects.toThrow(/service_fifo_error\.log/);
    await expect(readErrorFile(logDir, 'dir')).rejects.toThrow(/service_dir_error\.log/);
  });
});

describe('traversal', () => {
  const bad = [
    '../escape',
    '../../etc/passwd',
    'a/b',
    '..',
    '.',
    '.hidden',
    '',
    'a\\..\\b',
    'x\0y',
    'a..b',
    '/abs',
    'x'.repeat(65),
    ' space',
  ];

  it.each(bad)('refuses service id %j before touching the disk', async (id) => {
    await expect(writeErrorFile(seedReport({ serviceId: id }), { logDir })).rejects.toThrow(TypeError);
    await expect(readErrorFile(logDir, id)).rejects.toThrow(TypeError);
    expect(await readdir(logDir)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['logs', 'victim.txt']);
  });

  it('lists only well-formed names', async () => {
    await writeErrorFile(seedReport(), { logDir });
    await writeFile(path.join(logDir, 'service_.._error.log'), 'x');
    await writeFile(path.join(logDir, 'service_ok_error.log.0'), 'x');
    await writeFile(path.join(logDir, 'notes.txt'), 'x');
    expect((await listErrorFiles(logDir)).map((e) => e.path)).toEqual([path.join(logDir, 'service_123_error.log')]);
  });
});

describe('locks', () => {
  it('takes over a lock left by a dead process', async () => {
    await writeFile(path.join(logDir, '.service_123_error.log.lock'), '999999999\n');
    await writeErrorFile(seedReport(), { logDir, lockTimeoutMs: 60_000 });
    expect(await leftovers(logDir)).toEqual([]);
  });

  it('goes on without a lock held by a live process after lockTimeoutMs', async () => {
    const lock = path.join(logDir, '.service_123_error.log.lock');
    await writeFile(lock, `${process.ppid}\n`);
    await writeErrorFile(seedReport(), { logDir, lockTimeoutMs: 50 });
    expect((await readErrorFile(logDir, '123')).serviceId).toBe('123');
    // The other process's lock is left alone.
    expect(await readFile(lock, 'utf8')).toBe(`${process.ppid}\n`);
  });
});

describe('lock takeover', () => {
  const realNow = lockClock.now;
  afterEach(() => {
    lockClock.now = realNow;
  });
  /** Moves the lock's clock `ms` ahead of the real one (a file's change time cannot be set back). */
  const ahead = (ms: number) => {
    lockClock.now = () => Date.now() + ms;
  };
  const lockPath = () => path.join(logDir, '.service_123_error.log.lock');
  const hourAgo = () => Date.now() / 1000 - 3600;

  /** A lock as a writer takes it: a hard link to its temp file, whose name carries `pid`. */
  async function heldBy(pid: number): Promise<string> {
    const temp = path.join(logDir, `.service_123_error.log.${pid}.7.abc123.tmp`);
    await writeFile(temp, 'a report being written\n'.repeat(4));
    await link(temp, lockPath());
    return temp;
  }

  /** Whether a write took the lock over: it then removes the lock when done; otherwise it goes on without it after `lockTimeoutMs`, leaving the lock as it was. */
  async function writeTakesOver(): Promise<boolean> {
    const before = await lstat(lockPath());
    await writeErrorFile(seedReport(), { logDir, lockTimeoutMs: 200 });
    expect((await readErrorFile(logDir, '123')).serviceId).toBe('123');
    const after = await lstat(lockPath()).catch(() => undefined);
    if (after !== undefined) expect(after.ino).toBe(before.ino);
    return after === undefined;
  }

  it('takes over a lock no temp file shares once it is 2 s old, not before', async () => {
    // A writer died after its rename: the lock is a link to what is now an error file of someone else's.
    await writeFile(path.join(logDir, 'renamed-away'), 'x'.repeat(100));
    await link(path.join(logDir, 'renamed-away'), lockPath());
    // An old modification time alone does not make it stale: the link was made just now.
    utimesSync(lockPath(), hourAgo(), hourAgo());
    ahead(1_500);
    expect(await writeTakesOver()).toBe(false);
    ahead(2_500);
    expect(await writeTakesOver()).toBe(true);
    expect(await leftovers(logDir)).toEqual([]);
  });

  it('takes over an empty lock file left behind once it is 2 s old', async () => {
    await writeFile(lockPath(), '');
    expect(await writeTakesOver()).toBe(false);
    ahead(2_500);
    expect(await writeTakesOver()).toBe(true);
  });

  it('takes over a lock whose holder (by its temp file) is gone', async () => {
    const temp = await heldBy(999_999_999);
    expect(await writeTakesOver()).toBe(true);
    // The dead writer's temp file is not ours to remove (clean does that).
    expect((await lstat(temp)).isFile()).toBe(true);
  });

  it.each([
    ['a link to the temp file of a live process', () => heldBy(process.ppid)],
    ['a pid file of a live process', () => writeFile(lockPath(), `${process.ppid}\n`)],
  ])('takes over %s only after 30 s', async (_what, make) => {
    await make();
    utimesSync(lockPath(), hourAgo(), hourAgo());
    ahead(29_000);
    expect(await writeTakesOver()).toBe(false);
    ahead(31_000);
    expect(await writeTakesOver()).toBe(true);
  });

  it('never takes over a fresh lock of a live process, whatever its modification time', async () => {
    await heldBy(process.ppid);
    utimesSync(lockPath(), hourAgo(), hourAgo());
    expect(await writeTakesOver()).toBe(false);
  });
});
