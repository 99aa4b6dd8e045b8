import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UidPool, liveUids, normalizeUidRange, uidInUse } from '../../src/process/isolation/uid-pool.js';

describe('uid pool', () => {
  it('never hands out a held uid, and says when the range is used up', () => {
    const pool = new UidPool({ first: 210_000, last: 210_002 });
    const a = pool.acquire('a');
    const b = pool.acquire('b');
    const c = pool.acquire('c');
    expect(new Set([a.uid, b.uid, c.uid]).size).toBe(3);
    expect(a.gid).toBe(a.uid);
    expect(() => pool.acquire('d')).toThrow(expect.objectContaining({ code: 'PACTOWN_SANDBOX_UID_EXHAUSTED' }));
    b.release();
    b.release();
    const d = pool.acquire('d');
    expect(d.uid).toBe(b.uid);
    expect(pool.held().get(d.uid)).toBe('d');
  });

  it('hands a released uid out last (round robin)', () => {
    const pool = new UidPool({ first: 210_010, last: 210_019 });
    const first = pool.acquire('a');
    first.release();
    const next = pool.acquire('b');
    expect(next.uid).not.toBe(first.uid);
  });

  it.skipIf(process.getuid?.() !== 0)('skips a uid a live host process still runs under', async () => {
    const uid = 210_030;
    const child = spawn('/bin/sleep', ['30'], { uid, gid: uid, stdio: 'ignore' });
    await new Promise((resolve) => child.once('spawn', resolve));
    try {
      expect(liveUids().has(uid)).toBe(true);
      const pool = new UidPool({ first: uid, last: uid + 1 });
      expect(pool.acquire('x').uid).toBe(uid + 1);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });

  it.skipIf(process.getuid?.() !== 0)(
    'skips a uid a host process took after the pool first looked, and uses it again once that process is gone',
    async () => {
      const first = 210_040;
      const pool = new UidPool({ first, last: first + 2 });
      const a = pool.acquire('a'); // the pool's first look: nothing of the range in use
      expect(a.uid).toBe(first);
      // Another runner's service takes the next uid after that look.
      const child = spawn('/bin/sleep', ['30'], { uid: first + 1, gid: first + 1, stdio: 'ignore' });
      await new Promise((resolve) => child.once('spawn', resolve));
      try {
        expect(uidInUse(first + 1)).toBe(true);
        expect(pool.acquire('b').uid).toBe(first + 2);
        // Only uids held by this pool or by that process are left: the range is used up.
        expect(() => pool.acquire('c')).toThrow(expect.objectContaining({ code: 'PACTOWN_SANDBOX_UID_EXHAUSTED' }));
      } finally {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      // Gone: a round that finds nothing else reads the host's processes again.
      expect(uidInUse(first + 1)).toBe(false);
      expect(pool.acquire('c').uid).toBe(first + 1);
    },
  );

  it('checks the range', () => {
    expect(normalizeUidRange(undefined)).toEqual({ first: 200_000, last: 265_535 });
    for (const bad of [
      { first: 0, last: 10 },
      { first: 10, last: 5 },
      { first: 60_000, last: 70_000 },
      { first: 1.5, last: 3 },
    ]) {
      expect(() => normalizeUidRange(bad)).toThrow(/uidRange/);
    }
  });
});
