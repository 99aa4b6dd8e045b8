// The restart policy in the runner, with real services: backoff timings, the start limit, a 'died' per
// death, the exact log lines, the restart count in list(), and a stop that cancels a waiting restart.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, freePort, tempDir } from '@pactown/test-helpers';
import type { DiedReport } from '../../src/process/types.js';
import { ServiceRunner } from '../../src/runner/service-runner.js';
import type { GaveUpInfo, RestartingInfo } from '../../src/runner/types.js';

/** A server that answers, then exits with EXIT_CODE DIE_AFTER ms after its first request. */
const DYING = {
  files: {
    'server.js': `
const http = require('node:http');
let dying = false;
http.createServer((req, res) => {
  res.end('ok');
  if (!dying) {
    dying = true;
    setTimeout(() => { console.error('fatal: lost the database connection'); process.exit(Number(process.env.EXIT_CODE)); }, Number(process.env.DIE_AFTER));
  }
}).listen(Number(process.env.PORT), '127.0.0.1');
`,
  },
  run: 'node server.js',
};

import { probeBwrap } from '../../src/process/isolation/probe.js';

const probe = probeBwrap();
if (!probe.ok) console.warn(`restart tests under namespaces skipped: ${probe.reason}`);
const modes = probe.ok ? (['none', 'namespaces'] as const) : (['none'] as const);

let root: string;
let rootDir: TempDir;
beforeAll(async () => {
  rootDir = await tempDir('pactown-runner-restart-');
  root = rootDir.path;
});
afterAll(async () => {
  await rootDir.remove();
});

function watch(runner: ServiceRunner) {
  const events: Array<{ event: string; at: number; info: unknown }> = [];
  const lines: string[] = [];
  runner.on('died', (report) => events.push({ event: 'died', at: Date.now(), info: report }));
  runner.on('restarting', (info) => events.push({ event: 'restarting', at: Date.now(), info }));
  runner.on('gave-up', (info) => events.push({ event: 'gave-up', at: Date.now(), info }));
  runner.on('log', (_id, record) => lines.push(record.message));
  const next = (event: string, count = 1, ms = 30_000): Promise<void> => {
    const deadline = Date.now() + ms;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (events.filter((e) => e.event === event).length >= count) resolve();
        else if (Date.now() > deadline)
          reject(new Error(`no ${count} '${event}' events in time: ${events.map((e) => e.event)}`));
        else setTimeout(check, 10);
      };
      check();
    });
  };
  return { events, lines, next };
}

describe('ServiceRunner restart policy', () => {
  it.each(modes)(
    "'on-failure' under %s: backoff doubles, every death is a 'died', then the start limit gives up",
    async (isolation) => {
      const runner = new ServiceRunner({ sandboxesDir: join(root, `limit-${isolation}`), isolation });
      const w = watch(runner);
      const port = await freePort();
      const result = await runner.runFromContent({
        serviceId: 'crashy',
        content: DYING,
        port,
        env: { EXIT_CODE: '3', DIE_AFTER: '100' },
        restart: { restart: 'on-failure', backoffInitialMs: 100, startLimitBurst: 3 },
      });
      expect(result.success).toBe(true);
      expect(runner.get('crashy')).toMatchObject({ restart: 'on-failure', restarts: 0, state: 'running' });
      await w.next('restarting');
      expect(runner.get('crashy')).toMatchObject({ restarts: 1, state: 'restarting' });
      await w.next('gave-up');
      const names = w.events.map((e) => e.event);
      expect(names).toEqual(['died', 'restarting', 'died', 'restarting', 'died', 'restarting', 'died', 'gave-up']);
      const deaths = w.events.filter((e) => e.event === 'died').map((e) => e.info as DiedReport);
      expect(deaths.every((d) => d.exit.exitCode === 3 && d.stderrTail.includes('lost the database'))).toBe(true);
      const restarting = w.events.filter((e) => e.event === 'restarting').map((e) => e.info as RestartingInfo);
      expect(restarting.map((r) => r.message)).toEqual([
        'Restarting service_crashy in 100ms (attempt 1/3)',
        'Restarting service_crashy in 200ms (attempt 2/3)',
        'Restarting service_crashy in 400ms (attempt 3/3)',
      ]);
      expect(restarting.map((r) => r.delayMs)).toEqual([100, 200, 400]);
      // Each next death comes at least the backoff after the one before (the restart waited it out).
      const died = w.events.filter((e) => e.event === 'died').map((e) => e.at);
      expect(died[1]! - died[0]!).toBeGreaterThanOrEqual(100);
      expect(died[2]! - died[1]!).toBeGreaterThanOrEqual(200);
      expect(died[3]! - died[2]!).toBeGreaterThanOrEqual(400);
      const gaveUp = w.events.at(-1)!.info as GaveUpInfo;
      expect(gaveUp).toMatchObject({ serviceId: 'crashy', failures: 3, windowMs: 60_000 });
      expect(gaveUp.message).toBe('Service service_crashy failed 3 times in 60s: giving up');
      expect(w.lines).toContain('Service service_crashy failed 3 times in 60s: giving up');
      expect(w.lines).toContain('Restarting service_crashy in 200ms (attempt 2/3)');
      expect(runner.get('crashy')).toBeUndefined();
      expect((await runner.stop('crashy')).success).toBe(false);
      await runner.close();
    },
    60_000,
  );

  it('the default policy: 1s, then 2s; a stop during the backoff cancels the restart', async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'default'), isolation: 'none', restart: 'on-failure' });
    const w = watch(runner);
    const port = await freePort();
    const result = await runner.runFromContent({
      serviceId: 'api',
      content: DYING,
      port,
      env: { EXIT_CODE: '1', DIE_AFTER: '50' },
    });
    expect(result.success).toBe(true);
    await w.next('restarting', 2);
    expect(w.lines).toContain('Restarting service_api in 1s (attempt 1/5)');
    expect(w.lines).toContain('Restarting service_api in 2s (attempt 2/5)');
    const [first, second] = w.events.filter((e) => e.event === 'restarting').map((e) => e.at);
    expect(second! - first!).toBeGreaterThanOrEqual(1000);
    expect(runner.list()).toMatchObject([{ serviceId: 'api', restarts: 2, state: 'restarting' }]);
    const stopped = await runner.stop('api');
    expect(stopped).toMatchObject({
      success: true,
      message: 'Service service_api stopped (its restart was cancelled)',
    });
    expect(stopped.report?.exit.exitCode).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 2500)); // past the 2s backoff: no restart happened
    expect(w.events.filter((e) => e.event === 'died')).toHaveLength(2);
    expect(runner.list()).toEqual([]);
    await runner.close();
  }, 60_000);

  it("'always' restarts a clean exit, 'on-failure' and 'no' do not", async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'always'), isolation: 'none' });
    const w = watch(runner);
    for (const [id, restart] of [
      ['clean-always', 'always'],
      ['clean-onfail', 'on-failure'],
      ['clean-no', 'no'],
    ] as const) {
      const port = await freePort();
      const result = await runner.runFromContent({
        serviceId: id,
        content: DYING,
        port,
        env: { EXIT_CODE: '0', DIE_AFTER: '50' },
        restart: { restart, backoffInitialMs: 50, startLimitBurst: 1 },
      });
      expect(result.success).toBe(true);
    }
    await w.next('gave-up');
    await w.next('died', 4);
    const byId = (event: string) =>
      w.events.filter((e) => e.event === event).map((e) => (e.info as { serviceId: string }).serviceId);
    expect(byId('restarting')).toEqual(['clean-always']);
    expect(byId('gave-up')).toEqual(['clean-always']);
    expect(byId('died').sort()).toEqual(['clean-always', 'clean-always', 'clean-no', 'clean-onfail']);
    expect(runner.list()).toEqual([]);
    await runner.close();
  }, 60_000);

  it('a bad restart option is a coded TypeError naming it', async () => {
    expect(() => new ServiceRunner({ sandboxesDir: join(root, 'bad'), restart: 'sometimes' as never })).toThrow(
      /restart/,
    );
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'bad2'), isolation: 'none' });
    await expect(
      runner.runFromContent({ serviceId: 'x', content: DYING, port: 8001, restart: { startLimitBurst: 0 } }),
    ).rejects.toMatchObject({ name: 'TypeError', code: 'PACTOWN_SANDBOX_INVALID_OPTION' });
    await runner.close();
  });
});
