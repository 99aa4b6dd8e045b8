import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidAlive, tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { collector, fixture } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('stop', () => {
  it('stops the whole group: no grandchild is left', async () => {
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'tree',
      command: 'python3',
      args: [fixture('grandchild.py')],
      cwd: dir.path,
      onLog: log.onLog,
    });
    const ready = await proc.waitReady({ pattern: /^grandchild \d+$/, timeoutMs: 30_000 });
    if (!ready.ready) throw new Error('fixture did not start');
    const grandchild = Number(ready.line!.split(' ')[1]);
    expect(pidAlive(grandchild)).toBe(true);
    const report = await proc.stop();
    expect(report.category).toBe('none');
    expect(pidAlive(proc.pid!)).toBe(false);
    expect(pidAlive(grandchild)).toBe(false);
    // What stop had to end: the main process and its grandchild, both at SIGTERM.
    expect(proc.stopSummary).toEqual({ terminated: 2, killed: 0, leftovers: 0 });
    expect(log.messages()).toEqual(
      expect.arrayContaining([
        'Stopping service tree',
        `Sent SIGTERM to process group ${proc.pid}`,
        'Service tree stopped',
      ]),
    );
  });

  it('escalates to SIGKILL after the grace period', async () => {
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'stubborn',
      command: 'python3',
      args: [fixture('ignore_term.py')],
      cwd: dir.path,
      onLog: log.onLog,
    });
    await proc.waitReady({ pattern: /^ready$/, timeoutMs: 30_000 });
    const report = await proc.stop({ graceMs: 300 });
    expect(report.exit).toMatchObject({ signal: 'SIGKILL', forced: true });
    expect(report.category).toBe('none');
    expect(log.messages()).toContain(`Process group ${proc.pid} still running after 300ms: sent SIGKILL (1 process)`);
    expect(proc.stopSummary).toEqual({ terminated: 1, killed: 1, leftovers: 0 });
  });

  it('stopping a service that already ended is a no-op, and stop is idempotent', async () => {
    const log = collector();
    const proc = startService({
      isolation: 'none',
      serviceId: 'done',
      command: process.execPath,
      args: ['-e', 'process.exit(4)'],
      cwd: dir.path,
      onLog: log.onLog,
    });
    const ended = await proc.ended;
    const count = log.records.length;
    expect(await proc.stop()).toBe(ended);
    expect(await proc.stop()).toBe(ended);
    expect(log.records.length).toBe(count);
    expect(ended.category).toBe('process_crash');
  });

  for (const how of ['exit', 'signal'] as const) {
    it(`our own ${how === 'exit' ? 'process.exit()' : 'death by SIGTERM'} stops the services we started`, async () => {
      const script = fileURLToPath(new URL('../fixtures/process/parent.ts', import.meta.url));
      const packageDir = fileURLToPath(new URL('../..', import.meta.url));
      const parent = spawn(process.execPath, ['--import', 'tsx', script, fixture('sleeper.py'), how], {
        stdio: ['ignore', 'pipe', 'inherit'],
        cwd: packageDir,
      });
      let out = '';
      const started = new Promise<number>((resolve) => {
        parent.stdout.on('data', (c) => {
          out += c;
          const m = /service (\d+) ready=true/.exec(out);
          if (m) resolve(Number(m[1]));
        });
      });
      const exited = new Promise<[number | null, string | null]>((r) => parent.on('exit', (c, s) => r([c, s])));
      const pid = await started;
      if (how === 'signal') {
        expect(pidAlive(pid)).toBe(true);
        parent.kill('SIGTERM');
      }
      const [code, signal] = await exited;
      expect(how === 'exit' ? code : signal).toBe(how === 'exit' ? 0 : 'SIGTERM');
      // SIGTERM was sent at exit; wait for the sleeper to die from it (an event we can only poll for).
      const deadline = Date.now() + 20_000;
      while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(pidAlive(pid)).toBe(false);
    });
  }
});
