import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidAlive, tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { collector, fixture } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('waitReady: stopOnTimeout and signal', () => {
  it('stopOnTimeout: false reports the timeout and leaves the service running, report null', async () => {
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'keep',
      command: 'python3',
      args: [fixture('sleeper.py')],
      cwd: dir.path,
      onLog: log.onLog,
    });
    try {
      const result = await proc.waitReady({ pattern: /^never printed$/, timeoutMs: 300, stopOnTimeout: false });
      expect(result).toMatchObject({ ready: false, reason: 'timeout', report: null });
      expect(proc.running).toBe(true);
      expect(proc.report).toBeNull();
      expect(pidAlive(proc.pid!)).toBe(true);
      expect(log.messages()).toContain('⏱️ Health check timed out after 0.3s - process still running: true');
      expect(log.messages()).not.toContain('Stopping service keep');
      // Still usable: a later wait sees its line, and a stop by us is category none.
      const again = await proc.waitReady({ pattern: /^ready$/, timeoutMs: 30_000 });
      expect(again.ready).toBe(true);
    } finally {
      const report = await proc.stop({ graceMs: 1000 });
      expect(report.category).toBe('none');
    }
  });

  it('an abort through signal ends the wait and leaves the service running', async () => {
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'abort',
      command: 'python3',
      args: [fixture('sleeper.py')],
      cwd: dir.path,
      onLog: log.onLog,
    });
    try {
      const controller = new AbortController();
      // Abort once the service has printed its line: it is certainly running then.
      proc.onLog((record) => {
        if (record.stream === 'stdout' && record.message === 'ready') controller.abort();
      });
      const result = await proc.waitReady({ pattern: /^never printed$/, timeoutMs: 20_000, signal: controller.signal });
      expect(result).toMatchObject({ ready: false, reason: 'aborted', report: null });
      expect(result.elapsedMs).toBeLessThan(20_000);
      expect(proc.running).toBe(true);
      expect(pidAlive(proc.pid!)).toBe(true);
      expect(log.messages().some((m) => m.startsWith('⏱️'))).toBe(false);
      expect(log.messages()).not.toContain('Stopping service abort');
    } finally {
      await proc.stop({ graceMs: 1000 });
    }
  });

  it('an already aborted signal ends an http wait at once, the service untouched', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'pre-abort',
      command: 'python3',
      args: [fixture('sleeper.py')],
      cwd: dir.path,
    });
    try {
      const result = await proc.waitReady({ http: 1, timeoutMs: 20_000, signal: AbortSignal.abort() });
      expect(result).toMatchObject({ ready: false, reason: 'aborted', report: null });
      expect(proc.running).toBe(true);
      expect(pidAlive(proc.pid!)).toBe(true);
    } finally {
      await proc.stop({ graceMs: 1000 });
    }
  });
});
