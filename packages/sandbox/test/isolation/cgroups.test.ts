// Limits through a cgroup per service, for real: a fork bomb and a memory hog under bwrap end with their own
// categories while another service keeps answering, and every cgroup made here is gone afterwards.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  rmdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { cgroupSupport, sweepStaleCgroups } from '../../src/process/isolation/cgroups.js';
import { createServiceDir } from '../../src/process/isolation/ownership.js';
import { FIXTURES, probe, world } from './helpers.js';

const cgroups = cgroupSupport();
if (cgroups.version === null) console.warn(`cgroup tests skipped: ${cgroups.reason}`);

/** The folder of `pid`'s cgroup in the `pids` (v1) or unified (v2) hierarchy, from its /proc entry. */
function cgroupOf(pid: number, controller: 'pids' | 'memory'): string | null {
  const text = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  for (const line of text.split('\n')) {
    const [, names, path] = line.split(':');
    if (cgroups.version === 2 ? names === '' : names?.split(',').includes(controller)) return path ?? null;
  }
  return null;
}

/** The service cgroups of ours left under each `pactown` parent. */
function ourCgroups(serviceId: string): string[] {
  const out: string[] = [];
  for (const parent of new Set(Object.values(cgroups.parents))) {
    if (!existsSync(parent)) continue;
    for (const name of readdirSync(parent)) if (name.startsWith(`${serviceId}-${process.pid}-`)) out.push(name);
  }
  return out;
}

describe.skipIf(!probe.ok || cgroups.version === null)('cgroups per service', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.remove();
    // The parents are shared by every runner on the machine; an empty one goes.
    for (const parent of new Set(Object.values(cgroups.parents))) {
      try {
        rmdirSync(parent);
      } catch {
        // in use by another runner, or gone
      }
    }
  });

  it('a service is in its own cgroup from its first instruction, with its limits; the cgroup goes with it', async () => {
    const dir = createServiceDir(w.sandboxes, 'service_cg-none');
    // Under 'none' the program sees the host's cgroup paths: its first act shows where it is.
    const proc = startService({
      serviceId: 'cg-none',
      command: 'sh',
      args: ['-c', 'cat /proc/self/cgroup; echo ready; sleep 30'],
      cwd: dir,
      isolation: 'none',
      limits: { processes: 40, totalMemoryBytes: 128 * 1024 ** 2, cpuWeight: 50, cpuQuota: 0.5 },
    });
    try {
      const ready = await proc.waitReady({ pattern: /^ready$/, timeoutMs: 10_000 });
      expect(ready.ready).toBe(true);
      const first = proc.tails().stdout.text;
      const pids = cgroupOf(proc.pid!, 'pids');
      expect(pids).toMatch(new RegExp(`/pactown/cg-none-${process.pid}-\\d+$`));
      expect(first).toContain(pids!);
      const [name] = ourCgroups('cg-none');
      expect(name).toBeDefined();
      if (cgroups.version === 1) {
        // The launcher moved itself (its one thread) into every hierarchy before the program ran.
        for (const controller of Object.keys(cgroups.parents)) {
          const line = first.split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller));
          expect(line, controller).toMatch(new RegExp(`/pactown/${name}$`));
        }
        expect(readFileSync(join(cgroups.parents.pids!, name!, 'pids.max'), 'utf8').trim()).toBe('40');
        expect(readFileSync(join(cgroups.parents.memory!, name!, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(
          String(128 * 1024 ** 2),
        );
        expect(readFileSync(join(cgroups.parents.cpu!, name!, 'cpu.shares'), 'utf8').trim()).toBe('512');
        expect(readFileSync(join(cgroups.parents.cpu!, name!, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('50000');
      } else {
        expect(readFileSync(join(cgroups.parents.pids!, name!, 'pids.max'), 'utf8').trim()).toBe('40');
        expect(readFileSync(join(cgroups.parents.memory!, name!, 'memory.max'), 'utf8').trim()).toBe(
          String(128 * 1024 ** 2),
        );
      }
    } finally {
      await proc.stop({ graceMs: 1000 });
    }
    expect(ourCgroups('cg-none')).toEqual([]);
  });

  it("under 'none' without limits no cgroup is made", async () => {
    const dir = createServiceDir(w.sandboxes, 'service_cg-plain');
    const proc = startService({
      serviceId: 'cg-plain',
      command: 'sleep',
      args: ['30'],
      cwd: dir,
      isolation: 'none',
    });
    try {
      expect(cgroupOf(proc.pid!, 'pids')).not.toMatch(/pactown/);
      expect(ourCgroups('cg-plain')).toEqual([]);
    } finally {
      await proc.stop({ graceMs: 1000 });
    }
  });

  it('a fork bomb under bwrap ends with resource_limit naming limits.processes; another service keeps answering', async () => {
    const port = await freePort();
    const otherDir = createServiceDir(w.sandboxes, 'service_bystander');
    const other = startService({
      serviceId: 'bystander',
      command: process.execPath,
      args: [
        '-e',
        `require('node:http').createServer((q, s) => s.end('alive')).listen(${port}, '127.0.0.1', () => console.log('up'))`,
      ],
      cwd: otherDir,
      sandboxRoot: w.sandboxes,
      isolation: 'namespaces',
      uidPool: w.pool,
    });
    const bombDir = createServiceDir(w.sandboxes, 'service_bomb');
    try {
      expect((await other.waitReady({ http: { port, path: '/' }, timeoutMs: 20_000 })).ready).toBe(true);
      const bomb = startService({
        serviceId: 'bomb',
        command: 'python3',
        // The bomb runs for three seconds, then the main process (which forks nothing more) ends, and the
        // namespace with it.
        args: ['-c', "import subprocess, time\nsubprocess.Popen(['sh', '-c', 'f(){ f | f & }; f'])\ntime.sleep(3)"],
        cwd: bombDir,
        sandboxRoot: w.sandboxes,
        isolation: 'namespaces',
        uidPool: w.pool,
        limits: { processes: 64 },
      });
      // While the bomb runs: the other service answers, and the host still forks.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(bomb.running).toBe(true);
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).toBe('alive');
      expect(execFileSync('/bin/echo', ['host forks']).toString()).toBe('host forks\n');
      const report = await bomb.ended;
      expect(report.category).toBe('resource_limit');
      expect(report.suggestions[0]!.description).toMatch(/64 processes.*limits\.processes/);
      expect(other.running).toBe(true);
      expect(ourCgroups('bomb')).toEqual([]);
    } finally {
      await other.stop({ graceMs: 1000 });
    }
  }, 60_000);

  it('a memory hog ends with out_of_memory naming limits.totalMemoryBytes', async () => {
    const dir = createServiceDir(w.sandboxes, 'service_hog');
    const hog = startService({
      serviceId: 'hog',
      command: 'python3',
      args: ['-c', "a = []\nwhile True: a.append(b'x' * (4 * 1024 * 1024))"],
      cwd: dir,
      sandboxRoot: w.sandboxes,
      isolation: 'namespaces',
      uidPool: w.pool,
      // The address-space rlimit off, so only the cgroup can stop it.
      limits: { memoryBytes: null, totalMemoryBytes: 64 * 1024 ** 2 },
    });
    const report = await hog.ended;
    expect(report.exit.signal).toBe('SIGKILL');
    expect(report.category).toBe('out_of_memory');
    expect(report.suggestions[0]!.description).toMatch(/64 MiB.*limits\.totalMemoryBytes/);
    expect(ourCgroups('hog')).toEqual([]);
  }, 60_000);

  it('a CPU hog gets no more than limits.cpuQuota: the cgroup throttles it', async () => {
    const dir = createServiceDir(w.sandboxes, 'service_spinner');
    const spinner = startService({
      serviceId: 'spinner',
      command: 'python3',
      args: ['-c', "print('spinning', flush=True)\nwhile True: pass"],
      cwd: dir,
      sandboxRoot: w.sandboxes,
      isolation: 'namespaces',
      uidPool: w.pool,
      limits: { cpuQuota: 0.1 },
    });
    try {
      expect((await spinner.waitReady({ pattern: /^spinning$/, timeoutMs: 20_000 })).ready).toBe(true);
      const [name] = ourCgroups('spinner');
      const cpuDir = join(cgroups.parents.cpu!, name!);
      // CPU time of the cgroup's processes (utime + stime from /proc, in clock ticks of 10 ms).
      const usage = (): number => {
        let ticks = 0;
        for (const line of readFileSync(join(cpuDir, 'cgroup.procs'), 'utf8').split('\n')) {
          if (line === '') continue;
          try {
            const stat = readFileSync(`/proc/${line}/stat`, 'utf8');
            const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            ticks += Number(fields[11]) + Number(fields[12]);
          } catch {
            // ended meanwhile
          }
        }
        return ticks * 10;
      };
      const before = usage();
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const cpuMs = usage() - before;
      const wallMs = performance.now() - t0;
      // A tenth of a CPU, with room for the period boundaries and the tick granularity.
      expect(cpuMs).toBeLessThan(wallMs * 0.1 * 1.5 + 50);
      const throttled = /^nr_throttled (\d+)$/m.exec(readFileSync(join(cpuDir, 'cpu.stat'), 'utf8'));
      expect(Number(throttled?.[1])).toBeGreaterThan(0);
    } finally {
      await spinner.stop({ graceMs: 1000 });
    }
    expect(ourCgroups('spinner')).toEqual([]);
  }, 60_000);

  it("removes the empty cgroups of a runner that is gone, keeps its own and a live one's", async () => {
    // A PID that surely belongs to no process any more: a child that has ended.
    const child = spawn('/bin/true');
    const dead = await new Promise<number>((resolve) => child.once('exit', () => resolve(child.pid!)));
    const parents = [...new Set(Object.values(cgroups.parents))];
    const stale = `stale-${dead}-1`;
    const own = `own-${process.pid}-999`;
    const live = `live-1-1`; // PID 1 is alive
    for (const parent of parents) for (const name of [stale, own, live]) mkdirSync(join(parent, name));
    try {
      expect(sweepStaleCgroups(parents)).toBe(parents.length);
      for (const parent of parents) {
        expect(existsSync(join(parent, stale))).toBe(false);
        expect(existsSync(join(parent, own))).toBe(true);
        expect(existsSync(join(parent, live))).toBe(true);
      }
    } finally {
      for (const parent of parents)
        for (const name of [stale, own, live]) if (existsSync(join(parent, name))) rmdirSync(join(parent, name));
    }
  });
});

describe.skipIf(cgroups.version === null)('without writable cgroups', () => {
  it('an unprivileged runner runs its services with rlimits alone, and says why once', async () => {
    // The same code as an unprivileged user, for real: it cannot make a cgroup. Its temp folder (tsx's
    // cache, the service folder) is one of ours, inside this test's own temp folder.
    const root = mkdtempSync(join(tmpdir(), 'pactown-no-cgroups-test-'));
    const tmp = join(root, 'tmp');
    mkdirSync(tmp);
    chmodSync(root, 0o711);
    chownSync(tmp, 65534, 65534);
    let out: string;
    try {
      out = execFileSync(
        '/usr/bin/setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          '--import',
          'tsx',
          join(FIXTURES, 'no-cgroups.ts'),
        ],
        {
          cwd: join(FIXTURES, '..', '..', '..'),
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmp },
        },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const result = JSON.parse(out.trim().split('\n').at(-1)!) as {
      support: { version: number | null; reason: string };
      warnings: string[];
      outs: string[];
      categories: string[];
    };
    expect(result.support.version).toBeNull();
    expect(result.support.reason).toMatch(/EACCES/);
    const why = result.warnings.filter((w) => w.startsWith('Services run without cgroups'));
    expect(why).toHaveLength(1);
    expect(why[0]).toContain(result.support.reason);
    // The rlimits still apply: the limit is the service's.
    expect(result.outs).toEqual(['77\n', '77\n']);
  }, 60_000);
});
