// The throughput benchmark's plumbing (bench/): every contender runs in a process of its own and
// reports through the harness's protocol, its file holds every line once its process has exited,
// and a contender that fails, or writes less than it should, is a clear error, never a figure.
import fs from 'node:fs';
import { tempDir } from '@pactown/test-helpers';
import { describe, expect, it } from 'vitest';
import { runChild } from '../bench/child.js';
import { CONTENDERS, type ContenderName, MESSAGE } from '../bench/contenders.js';
import { runOnce, written } from '../bench/throughput.js';

describe('log-core throughput benchmark: contenders in processes of their own', () => {
  it('every contender reports its run, and its file holds every line when its process has exited', async () => {
    await using tmp = await tempDir('log-core-bench-');
    const names = Object.keys(CONTENDERS) as ContenderName[];
    for (const [i, name] of names.entries()) {
      const file = tmp.join(`${i}.log`);
      const report = await runOnce(name, file, 1500, 200);
      expect(report.contender).toBe(name);
      expect(report.lines).toBe(1500);
      expect(report.cpuMs).toBeGreaterThan(0);
      expect(report.wallMs).toBeGreaterThan(0);
      // The files are removed after the check.
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.existsSync(`${file}.warmup`)).toBe(false);
    }
  }, 180_000);

  it('counts lines and the lines that hold the message, so a short or wrong file fails the run', async () => {
    await using tmp = await tempDir('log-core-bench-');
    const file = tmp.join('x.log');
    fs.writeFileSync(file, `a ${MESSAGE}\nb ${MESSAGE} ${MESSAGE}\nno message here\npartial ${MESSAGE}`);
    expect(written(file)).toEqual({ lines: 3, messages: 4 });
  });

  it('a contender that exits without a report is an error naming it', async () => {
    await using tmp = await tempDir('log-core-bench-');
    await expect(
      runChild('throughput-one.ts', ['no such logger', tmp.join('y.log'), '10', '0'], 'contender no such logger'),
    ).rejects.toThrow(/contender no such logger exited \(1\) before reporting/);
  }, 60_000);
});
