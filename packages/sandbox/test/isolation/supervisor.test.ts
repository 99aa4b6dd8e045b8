import { describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { normalizeRestart } from '../../src/process/isolation/restart-policy.js';
import { Supervisor } from '../../src/process/isolation/supervisor.js';
import type { DiedReport } from '../../src/process/types.js';

describe('supervisor with real processes', () => {
  it('restarts a crashing service with growing delays, reports every death, then gives up', async () => {
    const dir = await tempDir();
    const deaths: DiedReport[] = [];
    const lines: string[] = [];
    const restartAt: number[] = [];
    const sup = new Supervisor({
      sandbox: 'service_crashy',
      policy: normalizeRestart({
        restart: 'on-failure',
        backoffInitialMs: 40,
        backoffMaxMs: 1000,
        startLimitBurst: 3,
        startLimitIntervalMs: 60_000,
      }),
      start: () =>
        startService({
          serviceId: 'crashy',
          command: 'sh',
          args: ['-c', 'echo boom >&2; exit 3'],
          cwd: dir.path,
          isolation: 'none',
        }),
      log: (_level, message) => lines.push(message),
      onDeath: (report) => deaths.push(report),
    });
    sup.on('started', () => restartAt.push(Date.now()));
    const gaveUp = new Promise<{ failures: number; message: string }>((resolve) => sup.once('gave-up', resolve));
    sup.begin();
    const info = await gaveUp;
    expect(info.failures).toBe(3);
    expect(info.message).toBe('Service service_crashy failed 3 times in 60s: giving up');
    expect(deaths).toHaveLength(4); // the first run and three restarts: every death reported
    expect(deaths.every((d) => d.exit.code === 3 && d.stderrTail.includes('boom'))).toBe(true);
    expect(lines.slice(0, 3)).toEqual([
      'Restarting service_crashy in 40ms (attempt 1/3)',
      'Restarting service_crashy in 80ms (attempt 2/3)',
      'Restarting service_crashy in 160ms (attempt 3/3)',
    ]);
    // The gaps between starts grow with the backoff (40, 80, 160 ms at least).
    const gaps = restartAt.slice(1).map((t, i) => t - restartAt[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(40);
    expect(gaps[1]).toBeGreaterThanOrEqual(80);
    expect(gaps[2]).toBeGreaterThanOrEqual(160);
    expect(sup.restarts).toBe(3);
    await dir.remove();
  });

  it('stop() ends supervision: no restart after it', async () => {
    const dir = await tempDir();
    let starts = 0;
    const sup = new Supervisor({
      sandbox: 'service_calm',
      policy: normalizeRestart({ restart: 'always', backoffInitialMs: 50 }),
      start: () => {
        starts++;
        return startService({ serviceId: 'calm', command: 'sleep', args: ['30'], cwd: dir.path, isolation: 'none' });
      },
      log: () => {},
    });
    sup.begin();
    const report = await sup.stop();
    expect(report?.exit.signal).toBe('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300)); // six times the backoff: a restart would have happened by now
    expect(starts).toBe(1);
    await dir.remove();
  });

  it('adopt() supervises a service started elsewhere; an end the policy does not restart is finished', async () => {
    const dir = await tempDir();
    const run = (code: number) =>
      startService({
        serviceId: 'adopted',
        command: 'sh',
        args: ['-c', `exit ${code}`],
        cwd: dir.path,
        isolation: 'none',
      });
    let starts = 0;
    const sup = new Supervisor({
      sandbox: 'service_adopted',
      policy: normalizeRestart({ restart: 'on-failure', backoffInitialMs: 20 }),
      start: () => {
        starts++;
        return run(0); // the restart exits cleanly: on-failure does not restart that
      },
      log: () => {},
    });
    const finished = new Promise<DiedReport>((resolve) => sup.once('finished', resolve));
    const restarting = new Promise<number>((resolve) => sup.once('restarting', (info) => resolve(info.delayMs)));
    expect(sup.current).toBeNull();
    sup.adopt(run(1));
    expect(await restarting).toBe(20);
    expect(sup.pending).toBe(true);
    const report = await finished;
    expect(report.exit.exitCode).toBe(0);
    expect(starts).toBe(1);
    expect(sup.pending).toBe(false);
    expect(sup.restarts).toBe(1);
    await dir.remove();
  });
});
