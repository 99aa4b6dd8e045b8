import { spawn } from 'node:child_process';
import { chmod, lstat, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INDEX_NAME } from '../src/header-index.js';
import { cleanErrorFiles, listErrorFiles, writeErrorFile } from '../src/index.js';
import { listErrorFilesFrom } from '../src/read.js';
import { seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';

const writer = fileURLToPath(new URL('./fixtures/writer.mjs', import.meta.url));

/**
 * A listing as a new process makes it: nothing cached in memory, headers from
 * the folder's index, files indexed however recently they changed (this
 * kernel's file timestamps are fine-grained; the default waits 2 s). A
 * negative settle time also takes file times a little ahead of `Date.now()`.
 */
const cold = (dir: string) => listErrorFilesFrom(dir, { memory: false, index: true, settledMs: -60_000 });
/** Every header read from its file. */
const plain = (dir: string) => listErrorFilesFrom(dir, { memory: false, index: false });

function runWriter(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

/** Rewrites the index's entries so that each one claims `category`, keeping the stamps they have. */
async function forgeCategories(file: string, category: string): Promise<string> {
  const [magic, ...lines] = (await readFile(file, 'utf8')).split('\n');
  const forged = lines.filter(Boolean).map((l) => {
    const v = JSON.parse(l);
    v[7] = category;
    return JSON.stringify(v);
  });
  return `${[magic, ...forged].join('\n')}\n`;
}

let dir: string;
let index: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-index-'));
  index = path.join(dir, INDEX_NAME);
});
afterEach(() => cleanup());

describe('header index', () => {
  it('a listing creates it (0600, hidden); a cold listing then takes headers from it', async () => {
    await writeErrorFile(seedReport({ serviceId: 'a', category: 'syntax' }), { logDir: dir });
    await writeErrorFile(seedReport({ serviceId: 'b' }), { logDir: dir });
    await expect(lstat(index)).rejects.toMatchObject({ code: 'ENOENT' });
    const first = await cold(dir);
    expect((await lstat(index)).mode & 0o777).toBe(0o600);
    expect(await cold(dir)).toEqual(first);
    expect(first).toEqual(await plain(dir));
    // Proof that entries are used while lstat matches them: a forged category with the right stamps shows.
    const forged = await forgeCategories(index, 'from-index');
    await writeFile(index, forged);
    expect((await cold(dir)).map((e) => e.category)).toEqual(['from-index', 'from-index']);
  });

  it('writers leave it alone; the next listing indexes what they wrote', async () => {
    await writeErrorFile(seedReport({ serviceId: 'a' }), { logDir: dir });
    await cold(dir);
    const before = await readFile(index, 'utf8');
    await writeErrorFile(seedReport({ serviceId: 'b', category: 'port_conflict' }), { logDir: dir });
    expect(await readFile(index, 'utf8')).toBe(before);
    expect(await cold(dir)).toEqual(await plain(dir));
    expect((await readFile(index, 'utf8')).trimEnd().split('\n')).toHaveLength(3);
    // Complete now: the next listing does not rewrite it.
    const { ino } = await stat(index);
    await cold(dir);
    expect((await stat(index)).ino).toBe(ino);
  });

  it('files changed within the settle time are listed but not indexed', async () => {
    await writeErrorFile(seedReport({ serviceId: 'young' }), { logDir: dir });
    const listed = await listErrorFilesFrom(dir, { memory: false, index: true, settledMs: 60_000 });
    expect(listed.map((e) => e.serviceId)).toEqual(['young']);
    await expect(lstat(index)).rejects.toMatchObject({ code: 'ENOENT' });
    await listErrorFilesFrom(dir, { memory: false, index: true });
    const lines = await readFile(index, 'utf8').catch(() => '');
    expect(lines).not.toContain('service_young_error.log');
  });

  it('rows in another order than the folder lists its names are found all the same', async () => {
    for (const id of ['a', 'b', 'c', 'd'])
      await writeErrorFile(seedReport({ serviceId: id }), { logDir: dir, history: 0 });
    await cold(dir);
    const [magic, ...rows] = (await readFile(index, 'utf8')).trimEnd().split('\n');
    await writeFile(index, `${[magic, ...rows.reverse()].join('\n')}\n`);
    const { ino } = await stat(index);
    expect(await cold(dir)).toEqual(await plain(dir));
    // Every header came from the index: it was not rewritten.
    expect((await stat(index)).ino).toBe(ino);
  });

  it('writers never create it', async () => {
    await writeErrorFile(seedReport(), { logDir: dir });
    await expect(lstat(index)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a file replaced by another writer, another process or by hand is read again', async () => {
    await writeErrorFile(seedReport({ serviceId: 'w', category: 'syntax' }), { logDir: dir });
    const handFile = await writeErrorFile(seedReport({ serviceId: 'h', category: 'dependency' }), { logDir: dir });
    await cold(dir);
    await writeFile(index, await forgeCategories(index, 'stale'));
    // Another writer in this process, with history (rotation renames and links files).
    await writeErrorFile(seedReport({ serviceId: 'w', category: 'port_conflict' }), { logDir: dir });
    // Another process.
    expect(await runWriter([dir, 'p', 'x', '2'])).toBe(0);
    // By hand, in place: same size, other content, modification time set back.
    const before = await stat(handFile);
    const text = await readFile(handFile, 'utf8');
    await writeFile(handFile, text.replace('Category: dependency', 'Category: dependencx'));
    await utimes(handFile, before.atime, before.mtime);
    expect((await stat(handFile)).size).toBe(before.size);
    const listed = await cold(dir);
    expect(listed).toEqual(await plain(dir));
    expect(listed.map((e) => e.category)).not.toContain('stale');
    expect(listed.find((e) => e.serviceId === 'h')?.category).toBe('dependencx');
  });

  it.each([
    ['random bytes', Buffer.from([0xff, 0x00, 0x0a, 0x5b, 0x22, 0xc3])],
    ['a wrong first line', Buffer.from('not an index\n["service_a_error.log",1,2,3,4,"x",1,"y"]\n')],
    [
      'cut lines and wrong types',
      Buffer.from('pactown-errors header index 1\n["service_a_error.log",1,2\n[1,2,3,4,5,6,7,8]\n{"a":1}\n'),
    ],
    ['an empty file', Buffer.alloc(0)],
  ])('a corrupt index (%s) is ignored and rebuilt', async (_, content) => {
    await writeErrorFile(seedReport({ serviceId: 'a' }), { logDir: dir });
    await writeErrorFile(seedReport({ serviceId: 'b', category: 'syntax' }), { logDir: dir });
    await writeFile(index, content, { mode: 0o600 });
    expect(await cold(dir)).toEqual(await plain(dir));
    expect((await readFile(index, 'utf8')).split('\n')[0]).toBe('pactown-errors header index 1');
    expect(await cold(dir)).toEqual(await plain(dir));
  });

  it('a link planted at its name is neither read nor written through', async () => {
    await writeErrorFile(seedReport({ serviceId: 'a' }), { logDir: dir });
    await cold(dir);
    const outside = `${dir}-decoy`;
    const forged = await forgeCategories(index, 'planted');
    await writeFile(outside, forged);
    try {
      await rm(index);
      await symlink(outside, index);
      await writeErrorFile(seedReport({ serviceId: 'b' }), { logDir: dir });
      expect(await readFile(outside, 'utf8')).toBe(forged);
      const listed = await cold(dir);
      expect(listed.map((e) => e.category)).not.toContain('planted');
      expect(listed).toEqual(await plain(dir));
      expect((await lstat(index)).isFile()).toBe(true);
      expect(await readFile(outside, 'utf8')).toBe(forged);
    } finally {
      await rm(outside, { force: true });
    }
  });

  it('an index that others can write to is not trusted', async () => {
    await writeErrorFile(seedReport({ serviceId: 'a' }), { logDir: dir });
    await cold(dir);
    await writeFile(index, await forgeCategories(index, 'shared'));
    await chmod(index, 0o666);
    expect((await cold(dir)).map((e) => e.category)).toEqual(['dependency']);
    expect((await lstat(index)).mode & 0o777).toBe(0o600);
  });

  it('is compacted when stale lines pile up', async () => {
    await writeErrorFile(seedReport({ serviceId: 'a' }), { logDir: dir });
    await cold(dir);
    const [magic, live] = (await readFile(index, 'utf8')).split('\n');
    const stale = Array.from({ length: 100 }, (_, i) =>
      JSON.stringify([`service_gone${i}_error.log`, i, 1, 2, 3, 't', 1, 'c']),
    );
    await writeFile(index, `${[magic, ...stale, live].join('\n')}\n`);
    expect(await cold(dir)).toEqual(await plain(dir));
    expect((await readFile(index, 'utf8')).trimEnd().split('\n')).toEqual([magic, live]);
  });

  it('concurrent writers in several processes leave a listing equal to reading every file', async () => {
    await writeErrorFile(seedReport({ serviceId: 'svc' }), { logDir: dir });
    await cold(dir);
    const codes = await Promise.all([0, 1, 2].map((p) => runWriter([dir, p === 2 ? 'other' : 'svc', `w${p}`, '6'])));
    expect(codes).toEqual([0, 0, 0]);
    const listed = await cold(dir);
    expect((await readFile(index, 'utf8')).trimEnd().split('\n')).toHaveLength(listed.length + 1);
    expect(listed).toEqual(await plain(dir));
    expect(listed.filter((e) => e.serviceId === 'svc')).toHaveLength(6);
  });

  it('clean removes temp files left by an index rewrite', async () => {
    const leftover = path.join(dir, `${INDEX_NAME}.4242.1.abc123.tmp`);
    await writeFile(leftover, 'half');
    const past = Date.now() / 1000 - 3600;
    await utimes(leftover, past, past);
    expect(await cleanErrorFiles(dir, { olderThanMs: 60_000 })).toEqual([leftover]);
  });
});

describe('listing with and without the index', () => {
  const service = fc.constantFrom('a', 'b', 'c');
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('write' as const),
      service,
      category: fc.constantFrom('syntax', 'dependency', 'x y', ''),
      day: fc.integer({ min: 1, max: 28 }),
    }),
    fc.record({ kind: fc.constant('list' as const) }),
    fc.record({
      kind: fc.constant('edit' as const),
      service,
      text: fc.constantFrom('Category: by-hand', 'Exit code: 7', 'junk'),
    }),
    fc.record({ kind: fc.constant('remove' as const), service }),
    fc.record({ kind: fc.constant('clean' as const) }),
  );

  it('gives the same rows after any sequence of writes, edits, removals, cleans and listings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const { path: d, remove: done } = await tempDir('ef-index-prop-');
        try {
          for (const o of ops) {
            const file = path.join(d, `service_${'service' in o ? o.service : 'a'}_error.log`);
            if (o.kind === 'write') {
              await writeErrorFile(
                seedReport({
                  serviceId: o.service,
                  category: o.category as 'syntax',
                  endedAt: `2026-02-${String(o.day).padStart(2, '0')}T00:00:00.000Z`,
                }),
                { logDir: d, history: 2 },
              );
            } else if (o.kind === 'list') await cold(d);
            else if (o.kind === 'edit') await writeFile(file, `${o.text}\n--- STDERR ---\n\n`).catch(() => {});
            else if (o.kind === 'remove') await rm(file, { force: true });
            else await cleanErrorFiles(d, { olderThanMs: 0, now: Date.now() + 1000 });
            expect(await cold(d)).toEqual(await plain(d));
            expect(await listErrorFiles(d)).toEqual(await plain(d));
          }
        } finally {
          await done();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
