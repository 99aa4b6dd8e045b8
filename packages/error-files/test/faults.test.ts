import { execFileSync } from 'node:child_process';
import * as realFsSync from 'node:fs';
import * as realFs from 'node:fs/promises';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorFileError, type ErrorFilesFs, readErrorFile, writeErrorFile } from '../src/index.js';
import { seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';
import { isRoot, leftovers, sysError } from './support.js';

const big = seedReport({ stderrTail: `${'e'.repeat(64 * 1024)}\n` });

/** A real tmpfs of `size` when this machine lets us mount one. */
function tryMount(dir: string, options: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    // Not mounted.
  }
}

/** node:fs with one call failing as the kernel would fail it. */
function failing(call: 'write' | 'open', code: string): ErrorFilesFs {
  const temps = new Set<number>();
  return {
    ...realFsSync,
    openSync: (file: string, flags: number, mode: number) => {
      if (!String(file).endsWith('.tmp')) return realFsSync.openSync(file, flags, mode);
      if (call === 'open') throw sysError(code, 'open', String(file));
      const fd = realFsSync.openSync(file, flags, mode);
      temps.add(fd);
      return fd;
    },
    writeSync: (fd: number, data: Uint8Array, offset: number, length: number) => {
      if (!temps.has(fd)) return realFsSync.writeSync(fd, data, offset, length);
      // The kernel takes a little, then the disk is full.
      realFsSync.writeSync(fd, data, offset, Math.min(length, 100));
      throw sysError(code, 'write', `fd ${fd}`);
    },
  } as unknown as ErrorFilesFs;
}

async function expectCleanFailure(promise: Promise<string>, dir: string, cause: RegExp) {
  const target = path.join(dir, 'service_123_error.log');
  const error: ErrorFileError = await promise.then(
    () => {
      throw new Error('write resolved');
    },
    (e) => e,
  );
  expect(error).toBeInstanceOf(ErrorFileError);
  expect(error.message).toContain(target);
  expect(error.message).toMatch(cause);
  expect(error.path).toBe(target);
  expect(await leftovers(dir)).toEqual([]);
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-fault-'));
});
afterEach(() => cleanup());

describe('full disk (ENOSPC)', () => {
  let mnt: string;
  let mounted = false;
  beforeAll(async () => {
    mnt = (await tempDir('ef-tmpfs-')).path;
    mounted = tryMount(mnt, 'size=64k,mode=0700');
  });
  afterAll(async () => {
    unmount(mnt);
    await realFs.rm(mnt, { recursive: true, force: true });
  });

  it('rejects naming the path and ENOSPC, leaves no temp file, keeps the previous file', async () => {
    const logDir = mounted ? mnt : dir;
    const options = mounted ? { logDir } : { logDir, fs: failing('write', 'ENOSPC') };
    await writeErrorFile(seedReport({ stderrTail: 'first\n' }), { logDir });
    if (mounted) await writeFile(path.join(mnt, 'filler'), Buffer.alloc(40 * 1024));
    await expectCleanFailure(writeErrorFile(big, options), logDir, /ENOSPC/);
    expect((await readErrorFile(logDir, '123')).stderrTail).toBe('first\n');
    expect((await readdir(logDir)).filter((n) => n.startsWith('service_'))).toEqual(['service_123_error.log']);
  });

  it('also when the disk fills at the temp file itself (injected at the same call)', async () => {
    await expectCleanFailure(
      writeErrorFile(big, { logDir: dir, fs: failing('write', 'ENOSPC') }),
      dir,
      /ENOSPC \(no space left on device\)/,
    );
  });
});

describe('read-only folder and missing permission', () => {
  it('EROFS on a read-only mount (or injected when mounting is not allowed)', async () => {
    const mnt = (await tempDir('ef-ro-')).path;
    const mounted = tryMount(mnt, 'size=256k,mode=0700');
    try {
      await writeErrorFile(seedReport({ stderrTail: 'kept\n' }), { logDir: mnt });
      let fs: ErrorFilesFs | undefined;
      if (mounted) execFileSync('mount', ['-o', 'remount,ro', mnt]);
      else fs = failing('open', 'EROFS');
      await expectCleanFailure(writeErrorFile(big, { logDir: mnt, fs }), mnt, /EROFS/);
      expect((await readErrorFile(mnt, '123')).stderrTail).toBe('kept\n');
    } finally {
      if (mounted) unmount(mnt);
      await realFs.rm(mnt, { recursive: true, force: true });
    }
  });

  it('EACCES on a 0500 folder (root ignores modes: then injected at the same call)', async () => {
    const logDir = path.join(dir, 'ro');
    await mkdir(logDir, { mode: 0o700 });
    await writeErrorFile(seedReport({ stderrTail: 'kept\n' }), { logDir });
    await chmod(logDir, 0o500);
    try {
      const fs = isRoot ? failing('open', 'EACCES') : undefined;
      await expectCleanFailure(writeErrorFile(big, { logDir, fs }), logDir, /EACCES/);
    } finally {
      await chmod(logDir, 0o700);
    }
    expect((await readErrorFile(logDir, '123')).stderrTail).toBe('kept\n');
  });

  it('a log folder that is a file is a clear rejection', async () => {
    const file = path.join(dir, 'not-a-dir');
    await writeFile(file, '');
    await expect(writeErrorFile(big, { logDir: file })).rejects.toThrow(/not-a-dir.*(ENOTDIR|EEXIST|not a directory)/);
  });

  it('never throws synchronously, whatever the input', async () => {
    const calls = [
      () => writeErrorFile(undefined as never),
      () =>
        writeErrorFile(
          {
            serviceId: 'x',
            get exit(): never {
              throw new Error('getter');
            },
          } as never,
          { logDir: dir },
        ),
      () => writeErrorFile(big, 'nonsense' as never),
      () => writeErrorFile(big, { logDir: 42 as never }),
    ];
    const promises = calls.map((call) => {
      let p: Promise<string> | undefined;
      expect(call === undefined).toBe(false);
      expect(() => {
        p = call();
      }).not.toThrow();
      return p!;
    });
    return Promise.all(promises.map((p) => expect(p).rejects.toBeInstanceOf(Error)));
  });
});

/** Every name in `dir` with its content (or `-> target` for a link), to compare a folder before and after. */
async function snapshot(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(folder)).sort()) {
    const file = path.join(folder, name);
    const st = await realFs.lstat(file);
    out[name] = st.isSymbolicLink() ? `-> ${await realFs.readlink(file)}` : await realFs.readFile(file, 'utf8');
  }
  return out;
}

type Call = 'rename' | 'link' | 'unlink';

/** node:fs whose rename, link or unlink fails with `code` when `when(from, to)` says so (names without the folder). */
function failingStep(
  call: Call,
  when: (from: string, to: string) => boolean,
  code = 'EIO',
): ErrorFilesFs & { failed: number } {
  const wrapped = {
    ...realFsSync,
    failed: 0,
    renameSync: (from: string, to: string) => {
      if (call === 'rename' && when(path.basename(from), path.basename(to))) {
        wrapped.failed++;
        throw sysError(code, 'rename', String(from));
      }
      return realFsSync.renameSync(from, to);
    },
    linkSync: (from: string, to: string) => {
      if (call === 'link' && when(path.basename(from), path.basename(to))) {
        wrapped.failed++;
        throw sysError(code, 'link', String(from));
      }
      return realFsSync.linkSync(from, to);
    },
    unlinkSync: (file: string) => {
      if (call === 'unlink' && when(path.basename(file), '')) {
        wrapped.failed++;
        throw sysError(code, 'unlink', String(file));
      }
      return realFsSync.unlinkSync(file);
    },
  };
  return wrapped as unknown as ErrorFilesFs & { failed: number };
}

const BASE = 'service_123_error.log';
const isTemp = (name: string) => name.startsWith(`.${BASE}.`) && name.endsWith('.tmp');

describe('a failure after history rotation has begun', () => {
  /** A full history: the current file and `.1` ... `.history`, each with its own stderr. */
  async function fullHistory(history: number): Promise<Record<string, string>> {
    for (let i = history; i >= 0; i--)
      await writeErrorFile(seedReport({ stderrTail: `v${i}\n` }), { logDir: dir, history });
    // Let the background deletion of dropped entries finish.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = await snapshot(dir);
    expect(Object.keys(before)).toHaveLength(history + 1);
    return before;
  }

  async function expectUntouched(
    fs: ErrorFilesFs & { failed: number },
    before: Record<string, string>,
    history: number,
    cause = /EIO/,
  ) {
    await expectCleanFailure(
      writeErrorFile(seedReport({ stderrTail: 'new\n' }), { logDir: dir, history, fs }),
      dir,
      cause,
    );
    expect(fs.failed).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await snapshot(dir)).toEqual(before);
    expect((await readErrorFile(dir, '123')).stderrTail).toBe('v0\n');
  }

  it('the final rename fails: current file and history as they were, no stray files', async () => {
    const before = await fullHistory(3);
    await expectUntouched(
      failingStep('rename', (from, to) => isTemp(from) && to === BASE),
      before,
      3,
    );
  });

  it('the final rename fails with history 1', async () => {
    const before = await fullHistory(1);
    await expectUntouched(
      failingStep('rename', (from, to) => isTemp(from) && to === BASE),
      before,
      1,
    );
  });

  it('moving the oldest entry aside fails', async () => {
    const before = await fullHistory(3);
    await expectUntouched(
      failingStep('rename', (from) => from === `${BASE}.3`),
      before,
      3,
    );
  });

  it('shifting a history entry fails half-way', async () => {
    const before = await fullHistory(4);
    await expectUntouched(
      failingStep('rename', (from) => from === `${BASE}.1`),
      before,
      4,
    );
  });

  it('linking and renaming the current file to .1 both fail', async () => {
    const before = await fullHistory(3);
    const fs = failingStep('link', (from, to) => from === BASE && to === `${BASE}.1`, 'EPERM');
    const rename = fs.renameSync;
    fs.renameSync = (from, to) => {
      if (path.basename(String(from)) === BASE) throw sysError('EIO', 'rename', String(from));
      return rename(from, to);
    };
    await expectUntouched(fs, before, 3, /EIO|EPERM/);
  });

  it('without hard links: the final rename fails after the current file was renamed to .1', async () => {
    const before = await fullHistory(3);
    const fs = failingStep('rename', (from, to) => isTemp(from) && to === BASE);
    fs.linkSync = (from) => {
      throw sysError('EPERM', 'link', String(from));
    };
    await expectUntouched(fs, before, 3, /EIO|EPERM/);
  });

  it('a first write whose rename fails leaves nothing behind', async () => {
    const fs = failingStep('rename', (from, to) => isTemp(from) && to === BASE);
    await expect(writeErrorFile(seedReport(), { logDir: dir, fs })).rejects.toThrow(/EIO/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a link planted at the target stays when the final rename fails', async () => {
    const before = await fullHistory(2);
    await realFs.rm(path.join(dir, BASE));
    await realFs.symlink(path.join(dir, `${BASE}.1`), path.join(dir, BASE));
    const planted = await snapshot(dir);
    expect(planted[BASE]).toMatch(/^-> /);
    const fs = failingStep('rename', (from, to) => isTemp(from) && to === BASE);
    await expectCleanFailure(
      writeErrorFile(seedReport({ stderrTail: 'new\n' }), { logDir: dir, history: 2, fs }),
      dir,
      /EIO/,
    );
    expect(await snapshot(dir)).toEqual(planted);
    expect(Object.keys(before)).toEqual(Object.keys(planted));
  });

  it('the write after a failed one rotates as usual', async () => {
    const before = await fullHistory(2);
    const fs = failingStep('rename', (from, to) => isTemp(from) && to === BASE);
    await expectCleanFailure(
      writeErrorFile(seedReport({ stderrTail: 'new\n' }), { logDir: dir, history: 2, fs }),
      dir,
      /EIO/,
    );
    await writeErrorFile(seedReport({ stderrTail: 'next\n' }), { logDir: dir, history: 2 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await snapshot(dir);
    expect(Object.keys(after)).toEqual([BASE, `${BASE}.1`, `${BASE}.2`]);
    expect(after[`${BASE}.1`]).toBe(before[BASE]);
    expect(after[`${BASE}.2`]).toBe(before[`${BASE}.1`]);
    expect((await readErrorFile(dir, '123')).stderrTail).toBe('next\n');
  });
});
