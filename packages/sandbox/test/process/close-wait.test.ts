import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServiceLogRecord, startService } from '../../src/index.js';
import { alive, collector, fixture, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

/** Resolves with the first record that matches, or rejects after `ms`. */
function nextRecord(
  records: ServiceLogRecord[],
  test: (r: ServiceLogRecord) => boolean,
  ms = 20_000,
): Promise<ServiceLogRecord> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const found = records.find(test);
      if (found !== undefined) resolve(found);
      else if (Date.now() > deadline) reject(new Error('no matching record before the deadline'));
      else setTimeout(check, 10);
    };
    check();
  });
}

describe('closeWaitMs: a grandchild holding the pipes open', () => {
  it('reports after closeWaitMs although the pipes stay open, and later output still reaches onLog', async () => {
    const trigger = join(dir.path, 'trigger-1');
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'late',
      command: process.execPath,
      args: [fixture('late_grandchild.mjs'), trigger],
      cwd: dir.path,
      closeWaitMs: 100,
      onLog: log.onLog,
    });
    try {
      // The grandchild waits for the trigger file, so the pipes are open for as long as we like:
      // the report can only arrive through the closeWaitMs bound.
      const report = await proc.ended;
      const grandchild = Number(/^grandchild (\d+)$/.exec(report.stdoutTail.trim())?.[1]);
      expect(alive(grandchild)).toBe(true);
      expect(report.exit.exitCode).toBe(3);
      expect(report.stdoutTail).not.toContain('late output');
      const died = log.records.findIndex(
        (r) => r.stream === 'system' && r.message === '❌ Process exited with code: 3',
      );
      expect(died).toBeGreaterThan(-1);
      expect(log.messages()).not.toContain('late output');

      await writeFile(trigger, '');
      const out = await nextRecord(log.records, (r) => r.stream === 'stdout' && r.message === 'late output');
      const err = await nextRecord(log.records, (r) => r.stream === 'stderr' && r.message === 'late error');
      expect(log.records.indexOf(out)).toBeGreaterThan(died);
      expect(log.records.indexOf(err)).toBeGreaterThan(died);
      // The report was final when it was given: later output does not change it.
      expect(proc.report).toBe(report);
      expect(report.stdoutTail).not.toContain('late output');
    } finally {
      await writeFile(trigger, '');
      await proc.stop({ graceMs: 1000 });
    }
  });

  it('waits the whole closeWaitMs for pipes a grandchild holds', async () => {
    const trigger = join(dir.path, 'trigger-2');
    const proc = startService({
      isolation: 'none',
      serviceId: 'late-long',
      command: process.execPath,
      args: [fixture('late_grandchild.mjs'), trigger],
      cwd: dir.path,
      closeWaitMs: 1500,
    });
    try {
      const report = await proc.ended;
      // endedAt is taken at the 'exit' event; the report waited for the pipes from then on.
      expect(Date.now() - Date.parse(report.endedAt)).toBeGreaterThanOrEqual(1450);
    } finally {
      await writeFile(trigger, '');
      await proc.stop({ graceMs: 1000 });
    }
  });

  it('does not wait out closeWaitMs when the pipes close with the process', async () => {
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'prompt',
      command: process.execPath,
      args: ['-e', 'console.log("bye"); process.exit(5)'],
      cwd: dir.path,
      closeWaitMs: 600_000,
      onLog: log.onLog,
    });
    // With the pipes closed the report must not wait the 10 minutes (the test would time out).
    const report = await proc.ended;
    expect(report.exit.exitCode).toBe(5);
    expect(report.stdoutTail).toBe('bye\n');
  });
});
