import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, normalizeLimits, prlimitArgs } from '../../src/process/isolation/limits.js';

describe('resource limits', () => {
  it('has defaults for every limit', () => {
    expect(normalizeLimits(undefined)).toEqual({
      memoryBytes: 1024 ** 3,
      processes: 256,
      openFiles: 1024,
      fileSizeBytes: 1024 ** 3,
      cpuSeconds: null,
      coreBytes: 0,
      tmpBytes: 64 * 1024 ** 2,
      totalMemoryBytes: 1024 ** 3,
      cpuQuota: null,
      cpuWeight: 100,
    });
    expect(normalizeLimits({})).toEqual(DEFAULT_LIMITS);
  });

  it('takes each limit, null unsets one', () => {
    const limits = normalizeLimits({ memoryBytes: 512 * 1024 ** 2, cpuSeconds: 30, processes: null });
    expect(limits.memoryBytes).toBe(512 * 1024 ** 2);
    expect(limits.cpuSeconds).toBe(30);
    expect(limits.processes).toBeNull();
    expect(limits.openFiles).toBe(1024);
  });

  it('names the bad option and value', () => {
    expect(() => normalizeLimits({ memoryBytes: 10 })).toThrow(
      /limits.memoryBytes must be null or an integer >= 16777216, got 10/,
    );
    expect(() => normalizeLimits({ processes: 1.5 })).toThrow(/limits.processes/);
    expect(() => normalizeLimits({ openFiles: '10' as unknown as number })).toThrow(/limits.openFiles/);
    expect(() => normalizeLimits({ memroyBytes: 1 } as never)).toThrow(/unknown option 'limits.memroyBytes'/);
    expect(() => normalizeLimits(null as never)).toThrow(TypeError);
    expect(() => normalizeLimits({ cpuWeight: 0 })).toThrow(
      /limits.cpuWeight must be null or an integer from 1 to 10000, got 0/,
    );
    expect(() => normalizeLimits({ cpuQuota: 0 })).toThrow(/limits.cpuQuota must be null or a number >= 0.01, got 0/);
    expect(normalizeLimits({ cpuQuota: 1.5 }).cpuQuota).toBe(1.5);
    expect(() => normalizeLimits({ totalMemoryBytes: 1024 })).toThrow(/limits.totalMemoryBytes/);
  });

  it('sets soft and hard limit through prlimit, the per-uid one only with a uid per service', () => {
    const limits = normalizeLimits({ cpuSeconds: 5 });
    expect(prlimitArgs(limits, { perUid: true })).toEqual([
      '--as=1073741824',
      '--nproc=256',
      '--nofile=1024',
      '--fsize=1073741824',
      '--cpu=5:6',
      '--core=0',
    ]);
    expect(prlimitArgs(limits, { perUid: false })).not.toContain('--nproc=256');
    // The cgroup-only limits have no rlimit.
    expect(prlimitArgs(normalizeLimits({ cpuQuota: 2, cpuWeight: 200 }), { perUid: true }).join(' ')).not.toMatch(
      /cpu=2|200/,
    );
  });
});
