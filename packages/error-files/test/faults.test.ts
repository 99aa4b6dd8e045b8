import { execFileSync } from 'node:child_process';
import * as realFsSync from 'node:fs';
import * as realFs from 'node:fs/promises';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorFileError, type ErrorFilesFs, readErrorFile, writeErrorFile } from '../src/index.js';
import { seedReport } from './fixtures/seed-report.js';
import { isRoot, leftovers, sysError, tempDir } from './support.js';

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
  ({ dir, cleanup } = await tempDir('ef-fault-'));
});
afterEach(() => cleanup());

describe('full disk (ENOSPC)', () => {
  let mnt: string;
  let mounted = false;
  beforeAll(async () => {
    mnt = (await tempDir('ef-tmpfs-')).dir;
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
    await expectCleanFailure(writeErrorFile(big, { logDir: dir, fs: failing('write', 'ENOSPC') }), dir, /ENOSPC \(no space left on device\)/);
  });
});

describe('read-only folder and missing permission', () => {
  it('EROFS on a read-only mount (or injected when mounting is not allowed)', async () => {
    const mnt = (await tempDir('ef-ro-')).dir;
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
      () => writeErrorFile({ serviceId: 'x', get exit(): never { throw new Error('getter'); } } as never, { logDir: dir }),
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
