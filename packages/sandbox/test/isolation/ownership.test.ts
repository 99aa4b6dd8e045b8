import { lstatSync, mkdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceDir, handOverServiceDir, reclaimServiceDir } from '../../src/process/isolation/ownership.js';
import { assertTmpUntouched, world } from './helpers.js';

const isRoot = process.getuid?.() === 0;

describe('service folder ownership', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.remove();
  });

  it('refuses shared folders and folders outside the root before touching anything', () => {
    const owner = { uid: 200_123, gid: 200_123 };
    for (const shared of [tmpdir(), '/tmp', '/', homedir()]) {
      expect(() => handOverServiceDir(shared, shared, owner)).toThrow(
        expect.objectContaining({ code: 'PACTOWN_SANDBOX_OWNERSHIP_REFUSED' }),
      );
      expect(() => handOverServiceDir(w.sandboxes, shared, owner)).toThrow(
        expect.objectContaining({ code: 'PACTOWN_SANDBOX_OWNERSHIP_REFUSED' }),
      );
      expect(() => createServiceDir(shared, 'x')).toThrow(/shared folder/);
    }
    expect(() => handOverServiceDir(w.sandboxes, w.logs, owner)).toThrow(/not inside the sandbox root/);
    expect(() => handOverServiceDir(w.sandboxes, w.sandboxes, owner)).toThrow(/not inside the sandbox root/);
    assertTmpUntouched();
  });

  it('refuses a folder it did not create, a symlink, and a bad name or owner', () => {
    const owner = { uid: 200_124, gid: 200_124 };
    const foreign = join(w.sandboxes, 'made-by-someone-else');
    mkdirSync(foreign);
    expect(() => handOverServiceDir(w.sandboxes, foreign, owner)).toThrow(/not created for a service/);
    expect(lstatSync(foreign).uid).toBe(process.getuid?.());

    const dir = createServiceDir(w.sandboxes, 'service_link');
    const link = join(w.sandboxes, 'service_alias');
    symlinkSync(dir, link);
    expect(() => handOverServiceDir(w.sandboxes, link, owner)).toThrow(/not a real directory/);
    for (const name of ['', '.', '..', 'a/b'])
      expect(() => createServiceDir(w.sandboxes, name)).toThrow(/one path segment/);
    expect(() => handOverServiceDir(w.sandboxes, dir, { uid: 0, gid: 0 })).toThrow(/unprivileged/);
    // A folder removed and made again by someone else at the same path is not ours any more.
    expect(() => createServiceDir(w.sandboxes, 'service_link')).toThrow(/EEXIST/);
  });

  it.skipIf(!isRoot)('hands the folder over with lchown, never through a symlink, and takes it back', () => {
    const outside = join(w.logs, 'outside.txt');
    writeFileSync(outside, 'not yours');
    const dir = createServiceDir(w.sandboxes, 'service_walk');
    mkdirSync(join(dir, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(dir, 'sub', 'deeper', 'f.txt'), 'x');
    symlinkSync(outside, join(dir, 'file-link'));
    symlinkSync(w.logs, join(dir, 'sub', 'dir-link'));
    const owner = { uid: 200_125, gid: 200_126 };
    expect(handOverServiceDir(w.sandboxes, dir, owner)).toBe(6);
    for (const path of [
      dir,
      join(dir, 'sub'),
      join(dir, 'sub', 'deeper', 'f.txt'),
      join(dir, 'file-link'),
      join(dir, 'sub', 'dir-link'),
    ]) {
      expect(lstatSync(path)).toMatchObject({ uid: 200_125, gid: 200_126 });
    }
    // What the links point at is untouched.
    expect(statSync(outside)).toMatchObject({ uid: 0, gid: 0 });
    expect(statSync(w.logs)).toMatchObject({ uid: 0, gid: 0 });
    expect(reclaimServiceDir(w.sandboxes, dir)).toBe(6);
    expect(lstatSync(join(dir, 'sub', 'deeper', 'f.txt')).uid).toBe(0);
    assertTmpUntouched();
  });
});
