// rlimit ends for real: SIGXCPU at limits.cpuSeconds and SIGXFSZ at limits.fileSizeBytes are resource_limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('resource_limit from rlimits', () => {
  it('a CPU-bound loop past limits.cpuSeconds ends by SIGXCPU: resource_limit naming the option', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'spin',
      command: 'python3',
      args: ['-c', 'while True: pass'],
      cwd: dir.path,
      limits: { cpuSeconds: 1 },
    });
    const report = await proc.ended;
    expect(report.exit.signal).toBe('SIGXCPU');
    expect(report.category).toBe('resource_limit');
    expect(report.suggestions[0]!.description).toMatch(/1 CPU seconds per process \(limits\.cpuSeconds\)/);
  }, 30_000);

  it('a write past limits.fileSizeBytes ends by SIGXFSZ: resource_limit naming the option', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'big-file',
      command: 'dd',
      args: ['if=/dev/zero', 'of=big.bin', 'bs=65536', 'count=1'],
      cwd: dir.path,
      limits: { fileSizeBytes: 4096 },
    });
    const report = await proc.ended;
    expect(report.exit.signal).toBe('SIGXFSZ');
    expect(report.category).toBe('resource_limit');
    expect(report.suggestions[0]!.description).toMatch(/4 KiB \(limits\.fileSizeBytes\)/);
  });

  it('a program that ignores SIGXFSZ (Python) fails the write: resource_limit from "File too large"', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'big-file-py',
      command: 'python3',
      args: ['-c', "open('big.bin', 'wb').write(b'x' * 65536)"],
      cwd: dir.path,
      limits: { fileSizeBytes: 4096 },
    });
    const report = await proc.ended;
    expect(report.exit.exitCode).toBe(1);
    expect(report.category).toBe('resource_limit');
    expect(report.suggestions[0]!.description).toMatch(/limits\.fileSizeBytes/);
  });
});
