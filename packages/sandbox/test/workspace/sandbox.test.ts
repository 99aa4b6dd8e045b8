import { existsSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TempDir, tempDir } from '@pactown/test-helpers';
import { SandboxPathError } from '../../src/workspace/errors.js';
import { safeWriteFile, safeWriteFileSync } from '../../src/workspace/safe-write.js';
import { createSandbox, sandboxPath } from '../../src/workspace/sandbox.js';
import { assertServiceId, isValidServiceId } from '../../src/workspace/service-id.js';

let root: string;
let rootDir: TempDir;
let outside: string;
let outsideDir: TempDir;
beforeEach(async () => {
  rootDir = await tempDir('pactown-ws-');
  root = rootDir.path;
  outsideDir = await tempDir('pactown-outside-');
  outside = outsideDir.path;
});
afterEach(async () => {
  await rootDir.remove();
  await outsideDir.remove();
});

describe('service ids', () => {
  it('accepts letters, digits and ._- up to 64 characters', () => {
    for (const id of ['123', 'my-api', 'a.b_c', 'x'.repeat(64), 'x_', 'x-', 'a.b.c'])
      expect(isValidServiceId(id)).toBe(true);
    // The shared rule (every package): the first character is a letter or digit, and '..' never occurs.
    for (const id of ['_x', '-x', 'a..b']) expect(isValidServiceId(id), id).toBe(false);
  });

  it('refuses anything that could become a path, with a TypeError naming the value', () => {
    for (const id of ['', '.', '..', '.hidden', 'x/../../etc', 'a/b', 'a\\b', 'x'.repeat(65), 'a b', 'é', 'a\0b']) {
      expect(() => assertServiceId(id), id).toThrow(TypeError);
    }
    expect(() => assertServiceId('x/../../')).toThrow(/serviceId must be .* got "x\/..\/..\/"/);
    expect(() => assertServiceId(42)).toThrow(/got number/);
  });

  it('property: a valid id always names a folder directly under the root', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (id) => {
        if (!isValidServiceId(id)) return;
        expect(sandboxPath('/r', id)).toBe(`/r/service_${id}`);
      }),
    );
  });
});

describe('safeWriteFile', () => {
  it('writes nested files and marks scripts executable', async () => {
    await safeWriteFile(root, 'a/b/c.txt', 'hello');
    await safeWriteFile(root, 'run.sh', '#!/bin/sh\necho hi\n');
    expect(await readFile(join(root, 'a/b/c.txt'), 'utf8')).toBe('hello');
    expect((await lstat(join(root, 'run.sh'))).mode & 0o111).not.toBe(0);
  });

  it('refuses absolute paths and ..', async () => {
    await expect(safeWriteFile(root, '/etc/x', 'x')).rejects.toBeInstanceOf(SandboxPathError);
    await expect(safeWriteFile(root, '../x', 'x')).rejects.toThrow(/leaves the sandbox/);
    await expect(safeWriteFile(root, 'a/../../x', 'x')).rejects.toThrow(/leaves the sandbox/);
    expect(await readdir(join(root, '..'))).not.toContain('x');
  });

  it('refuses a folder symlink that leads out, and does not write through it', async () => {
    await symlink(outside, join(root, 'link'));
    await expect(safeWriteFile(root, 'link/pwned.txt', 'x')).rejects.toThrow(/symlink leading out/);
    expect(await readdir(outside)).toEqual([]);
  });

  it('follows a symlink that stays inside', async () => {
    await mkdir(join(root, 'real'));
    await symlink(join(root, 'real'), join(root, 'alias'));
    await safeWriteFile(root, 'alias/f.txt', 'ok');
    expect(await readFile(join(root, 'real/f.txt'), 'utf8')).toBe('ok');
  });

  it('never writes through a planted file symlink', async () => {
    const target = join(outside, 'victim.txt');
    await writeFile(target, 'original');
    await symlink(target, join(root, 'main.py'));
    await expect(safeWriteFile(root, 'main.py', 'x')).rejects.toThrow(/symlink/);
    expect(await readFile(target, 'utf8')).toBe('original');
  });
});

describe('safeWriteFileSync', () => {
  it('has the same checks: no way out through .., a folder symlink or a file symlink', async () => {
    expect(() => safeWriteFileSync(root, 'a/../../x', 'x')).toThrow(/leaves the sandbox/);
    await symlink(outside, join(root, 'link'));
    expect(() => safeWriteFileSync(root, 'link/pwned.txt', 'x')).toThrow(/symlink leading out/);
    await writeFile(join(outside, 'victim.txt'), 'original');
    await symlink(join(outside, 'victim.txt'), join(root, 'main.py'));
    expect(() => safeWriteFileSync(root, 'main.py', 'x')).toThrow(SandboxPathError);
    expect(await readdir(outside)).toEqual(['victim.txt']);
    expect(await readFile(join(outside, 'victim.txt'), 'utf8')).toBe('original');
    expect(safeWriteFileSync(root, 'd/e/f.txt', 'ok')).toBe(join(root, 'd/e/f.txt'));
  });
});

describe('createSandbox', () => {
  it('writes a new sandbox in one go, before it first waits', async () => {
    const made = createSandbox(root, 'one-go', [
      { path: 'server.mjs', content: 'v1' },
      { path: 'lib/util.mjs', content: 'u' },
    ]);
    // Nothing has run between the call and here: the folders, files and renames were made synchronously.
    expect(readFileSync(join(root, 'service_one-go/lib/util.mjs'), 'utf8')).toBe('u');
    expect(existsSync(join(root, 'service_one-go/server.mjs'))).toBe(true);
    expect(await made).toBe(join(root, 'service_one-go'));
  });

  it('creates service_{id} with the files and replaces it whole on a re-run', async () => {
    const first = await createSandbox(root, 'api', [
      { path: 'main.py', content: 'v1' },
      { path: 'old.txt', content: 'x' },
    ]);
    expect(first).toBe(join(root, 'service_api'));
    await createSandbox(root, 'api', [{ path: 'main.py', content: 'v2' }]);
    expect(await readdir(first)).toEqual(['main.py']);
    expect(await readFile(join(first, 'main.py'), 'utf8')).toBe('v2');
    expect((await readdir(root)).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('keeps the previous sandbox when a write fails and leaves no staging folder', async () => {
    await createSandbox(root, 'api', [{ path: 'main.py', content: 'v1' }]);
    await expect(
      createSandbox(root, 'api', [
        { path: 'ok.py', content: '' },
        { path: '../x', content: '' },
      ]),
    ).rejects.toThrow(SandboxPathError);
    expect(await readFile(join(root, 'service_api/main.py'), 'utf8')).toBe('v1');
    expect(await readdir(root)).toEqual(['service_api']);
  });

  it('refuses an unsafe id before touching the disk', async () => {
    await expect(createSandbox(join(root, 'new'), '../evil', [])).rejects.toThrow(TypeError);
    expect(await readdir(root)).toEqual([]);
  });
});
