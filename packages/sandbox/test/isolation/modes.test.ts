// One suite, run under both isolation modes: logs, readiness, stop, the died
// report and the failure categories behave the same inside the sandbox.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import type { StartOptions } from '../../src/process/options.js';
import { createServiceDir } from '../../src/process/isolation/ownership.js';
import { listProcesses } from '../../src/process/isolation/tree.js';
import { collector, fixture } from '../process/helpers.js';
import { probe, world } from './helpers.js';

const MODES = ['none', 'namespaces'] as const;

for (const isolation of MODES) {
  describe.skipIf(isolation === 'namespaces' && !probe.ok)(`isolation '${isolation}'`, () => {
    let w: Awaited<ReturnType<typeof world>>;
    let n = 0;
    beforeAll(async () => {
      w = await world();
    });
    afterAll(async () => {
      await w.remove();
    });

    /** A service folder of its own with the fixtures it runs copied in (they must be visible inside the sandbox). */
    function service(files: string[], options: Omit<StartOptions, 'serviceId' | 'cwd'>) {
      const id = `svc${++n}`;
      const cwd = createServiceDir(w.sandboxes, `service_${id}`);
      for (const file of files) copyFileSync(fixture(file), join(cwd, file));
      const logs = collector();
      const proc = startService({
        serviceId: id,
        cwd,
        isolation,
        sandboxRoot: w.sandboxes,
        uidPool: w.pool,
        onLog: logs.onLog,
        killGraceMs: 1_000,
        ...options,
      });
      return { proc, logs, cwd };
    }

    it('HTTP readiness, live lines, and stop', async () => {
      const port = await freePort();
      const { proc, logs } = service(['http_server.mjs'], {
        command: 'node http_server.mjs',
        env: { PORT: port },
        port,
      });
      const ready = await proc.waitReady({ http: { port, path: '/health' }, timeoutMs: 15_000 });
      expect(ready.ready).toBe(true);
      expect(logs.messages()).toContain(`listening on ${port}`);
      const report = await proc.stop();
      expect(report.exit.signal).toBe('SIGTERM');
      expect(proc.running).toBe(false);
    });

    it('port and pattern readiness', async () => {
      const port = await freePort();
      const a = service(['http_server.mjs'], { command: 'node http_server.mjs 50', env: { PORT: port }, port });
      expect((await a.proc.waitReady({ port, timeoutMs: 15_000 })).ready).toBe(true);
      await a.proc.stop();
      const port2 = await freePort();
      const b = service(['http_server.mjs'], { command: 'node http_server.mjs', env: { PORT: port2 }, port: port2 });
      const ready = await b.proc.waitReady({ pattern: /listening on \d+/, timeoutMs: 15_000 });
      expect(ready).toMatchObject({ ready: true, kind: 'pattern' });
      await b.proc.stop();
    });

    it('the died report and its category: a crash, a missing module, a segfault, MemoryError', async () => {
      const crash = await service(['crash.py'], { command: 'python3 crash.py' }).proc.ended;
      expect(crash).toMatchObject({ category: 'process_crash', message: 'Process exited with code: 1' });
      expect(crash.stderrTail).toContain('RuntimeError: the service could not load its configuration');

      const missing = await service(['missing_module.cjs'], { command: 'node missing_module.cjs' }).proc.ended;
      expect(missing.category).toBe('dependency');

      const segv = await service(['segfault.py'], { command: 'python3 segfault.py' }).proc.ended;
      expect(segv.exit.signal).toBe('SIGSEGV');
      expect(segv.message).toBe('Process killed by SIGSEGV (exit code: -11)');

      const oom = await service(['memory_error.py'], { command: 'python3 memory_error.py' }).proc.ended;
      expect(oom.category).toBe('out_of_memory');
    }, 30_000);

    it(
      isolation === 'namespaces'
        ? 'leaves no process behind when the main process ends'
        : 'a background process ends with the main one: its process group is ended',
      async () => {
        const token = `${500 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 1000)}`;
        const { proc } = service([], { command: `sleep ${token} & echo started`, shell: true });
        await proc.ended;
        const survivors = () =>
          listProcesses().filter((p) => {
            try {
              return readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').includes(token);
            } catch {
              return false;
            }
          });
        // Under 'none' the report comes once what the main process left behind is gone; under 'namespaces'
        // the kernel ends the namespace with its init (/proc may list a dying member a moment longer).
        if (isolation === 'none') expect(survivors()).toHaveLength(0);
        else await expect.poll(() => survivors().length, { timeout: 5_000, interval: 20 }).toBe(0);
        if (isolation === 'none') expect(proc.stopSummary).toEqual({ terminated: 0, killed: 0, leftovers: 1 });
      },
    );

    it('the service can write its own folder', async () => {
      const { proc, cwd } = service([], { command: 'echo written > out.txt', shell: true });
      const report = await proc.ended;
      expect(report.exit.code).toBe(0);
      expect(readFileSync(join(cwd, 'out.txt'), 'utf8')).toBe('written\n');
      writeFileSync(join(cwd, 'again.txt'), 'ok'); // and the runner still can afterwards
    });
  });
}
