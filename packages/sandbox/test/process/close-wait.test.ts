import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidAlive, tempDir } from '@pactown/test-helpers';
import { type ServiceLogRecord, startService } from '../../src/index.js';
import { collector, fixture } from './helpers.js';

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

describe('output at the end: every line written before it is in the report', () => {
  it('waits for the end of the pipes, however slowly they are read (not a fixed 100ms)', async () => {
    const lines = 500;
    const seen: string[] = [];
    const proc = startService({
      isolation: 'none',
      serviceId: 'burst',
      command: process.execPath,
      args: [
        '-e',
        `for (let i = 1; i <= ${lines}; i++) require('node:fs').writeSync(1, 'line ' + i + '\\n'); process.exit(4)`,
      ],
      cwd: dir.path,
      // A slow reader: 1 ms per line, so most lines are read about a second after the exit.
      redact: (text) => {
        const until = performance.now() + 1;
        while (performance.now() < until);
        return text;
      },
      logOutput: false,
      onLog: (r) => {
        if (r.stream === 'stdout') seen.push(r.message);
      },
    });
    const report = await proc.ended;
    expect(report.exit.exitCode).toBe(4);
    expect(seen).toHaveLength(lines);
    expect(report.stdoutTail.endsWith(`line ${lines}\n`)).toBe(true);
    expect(proc.outputComplete).toBe(true);
    expect(proc.lateOutputBytes).toBe(0);
  });

  it('the report waits for the end of the pipes, not a fixed 100ms: what a helper writes until it ends is in it', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'writer',
      command: process.execPath,
      args: [fixture('detached_writer.mjs')],
      cwd: dir.path,
    });
    const report = await proc.ended;
    expect(report.exit.exitCode).toBe(3);
    expect(report.stdoutTail).toContain('tick 20\nwriter done\n');
    expect(Date.now() - Date.parse(report.endedAt)).toBeGreaterThanOrEqual(300);
    expect(proc.outputComplete).toBe(true);
  });

  it('a grandchild in the group that holds the pipes is ended with the main process, and the report comes at once', async () => {
    const trigger = join(dir.path, 'trigger-0');
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'late-group',
      command: process.execPath,
      args: [fixture('late_grandchild.mjs'), trigger],
      cwd: dir.path,
      closeWaitMs: 600_000,
      onLog: log.onLog,
    });
    const report = await proc.ended;
    const grandchild = Number(/^grandchild (\d+)$/.exec(report.stdoutTail.trim())?.[1]);
    expect(grandchild).toBeGreaterThan(0);
    expect(pidAlive(grandchild)).toBe(false);
    expect(report.exit.exitCode).toBe(3);
    expect(proc.stopSummary).toEqual({ terminated: 0, killed: 0, leftovers: 1 });
    expect(log.messages()).toContain('Ended 1 process late-group left behind when its main process exited');
    expect(proc.outputComplete).toBe(true);
  });
});

describe('closeWaitMs: a process outside the group holding the pipes open', () => {
  it('reports after closeWaitMs with a warning, and later output still reaches onLog, counted', async () => {
    const trigger = join(dir.path, 'trigger-1');
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'late',
      command: process.execPath,
      args: [fixture('late_grandchild.mjs'), trigger, 'detached'],
      cwd: dir.path,
      closeWaitMs: 300,
      onLog: log.onLog,
    });
    let grandchild = 0;
    try {
      // The grandchild waits for the trigger file, so the pipes are open for as long as we like:
      // the report can only arrive through the closeWaitMs bound.
      const report = await proc.ended;
      grandchild = Number(/^grandchild (\d+)$/.exec(report.stdoutTail.trim())?.[1]);
      expect(pidAlive(grandchild)).toBe(true);
      expect(report.exit.exitCode).toBe(3);
      expect(proc.outputComplete).toBe(false);
      expect(log.messages()).toContain(
        'Output of late still open 300ms after it ended (held by a process outside its group): the report leaves out what comes later',
      );
      const died = log.records.findIndex(
        (r) => r.stream === 'system' && r.message === '❌ Process exited with code: 3',
      );
      expect(died).toBeGreaterThan(-1);
      expect(Date.now() - Date.parse(report.endedAt)).toBeGreaterThanOrEqual(280);

      await writeFile(trigger, '');
      const out = await nextRecord(log.records, (r) => r.stream === 'stdout' && r.message === 'late output');
      await nextRecord(log.records, (r) => r.stream === 'stderr' && r.message === 'late error');
      expect(log.records.indexOf(out)).toBeGreaterThan(died);
      // The report was final when it was given: later output does not change it, and is counted.
      expect(proc.report).toBe(report);
      expect(report.stdoutTail).not.toContain('late output');
      expect(proc.lateOutputBytes).toBe('late output\n'.length + 'late error\n'.length);
    } finally {
      await writeFile(trigger, '');
      if (grandchild > 0 && pidAlive(grandchild)) process.kill(grandchild, 'SIGKILL');
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
