/**
 * A cgroup per service, where the machine lets us make one: cgroup v2
 * (unified) when it is mounted, else the v1 `memory`, `pids` and `cpu`
 * hierarchies. Each service gets `pactown/<service>-<n>` below the runner's
 * own cgroup in every hierarchy, with its memory limit, `pids.max` and CPU
 * quota and weight. The service joins it before its program runs: the
 * launcher (a shell in front of bwrap or the program) moves itself into
 * each cgroup and only then `exec`s, so nothing the service starts is ever
 * outside. After the service has ended, its counters (OOM
 * kills, hits of `pids.max`) are read for the died report and the cgroup is
 * removed. Where none of this is writable, rlimits alone apply; why is
 * logged once.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NormalizedLimits } from './limits.js';

type Controller = 'memory' | 'pids' | 'cpu';
const CONTROLLERS: readonly Controller[] = ['memory', 'pids', 'cpu'];

export interface CgroupSupport {
  /** 2 (unified), 1 (v1 hierarchies), or `null` when no cgroup can be made. */
  version: 1 | 2 | null;
  /** Why not, and how to fix it (`version: null`). */
  reason: string | null;
  /** The `pactown` parent folder per controller (v2: one folder for all). */
  parents: Partial<Record<Controller, string>>;
}

/** What a service's cgroup counted while it ran. */
export interface CgroupCounters {
  /** Processes the kernel's OOM killer ended in the cgroup. */
  oomKills: number;
  /** Times the memory limit was reached (v1 `memory.failcnt`, v2 `memory.events` `max`). */
  memoryLimitHits: number;
  /** Forks refused at `pids.max` (`pids.events` `max`). */
  pidsLimitHits: number;
}

const ROOT = '/sys/fs/cgroup';
const PARENT = 'pactown';

let support: CgroupSupport | undefined;
let warned = false;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Mount points of v1 hierarchies by controller, from /proc/self/mounts. */
function v1Mounts(): Partial<Record<Controller, string>> {
  const out: Partial<Record<Controller, string>> = {};
  for (const line of (read('/proc/self/mounts') ?? '').split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (type !== 'cgroup' || mountPoint === undefined || options === undefined) continue;
    const opts = options.split(',');
    for (const c of CONTROLLERS) if (opts.includes(c) && out[c] === undefined) out[c] = mountPoint;
  }
  return out;
}

/** Our own cgroup path per v1 controller and the v2 one ('' key), from /proc/self/cgroup. */
function ownPaths(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first === -1 || second === -1) continue;
    const names = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (names === '') out.set('', path);
    for (const name of names.split(',')) out.set(name, path);
  }
  return out;
}

function errorText(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ?? e.message;
}

/** Makes `parent` (if needed) and proves a child cgroup can be made in it: an existing parent proves nothing. */
function provePlace(parent: string): void {
  mkdirSync(parent, { recursive: true });
  const probe = join(parent, `probe-${process.pid}`);
  mkdirSync(probe);
  rmdirSync(probe);
}

function detect(): CgroupSupport {
  if (process.platform !== 'linux') return { version: null, reason: 'cgroups exist on Linux only', parents: {} };
  const own = ownPaths();
  if (existsSync(join(ROOT, 'cgroup.controllers'))) {
    const base = join(ROOT, own.get('') ?? '/');
    const parent = join(base, PARENT);
    try {
      provePlace(parent);
      const available = (read(join(base, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
      const wanted = CONTROLLERS.filter((c) => available.includes(c));
      if (wanted.length === 0) throw new Error(`no memory, pids or cpu controller in ${base}`);
      const enable = wanted.map((c) => `+${c}`).join(' ');
      // The runner's cgroup holds the runner itself: enabling controllers below it needs a delegated
      // subtree (the "no internal processes" rule refuses it otherwise with EBUSY).
      writeFileSync(join(base, 'cgroup.subtree_control'), enable);
      writeFileSync(join(parent, 'cgroup.subtree_control'), enable);
      return {
        version: 2,
        reason: null,
        parents: Object.fromEntries(wanted.map((c) => [c, parent])) as Partial<Record<Controller, string>>,
      };
    } catch (error) {
      return {
        version: null,
        reason: `cgroup v2 at ${base} cannot hold the services' cgroups (${errorText(error)}): run the runner in a cgroup delegated to it with the memory, pids and cpu controllers (systemd: Delegate=yes) and as root`,
        parents: {},
      };
    }
  }
  const mounts = v1Mounts();
  const parents: Partial<Record<Controller, string>> = {};
  const problems: string[] = [];
  for (const c of CONTROLLERS) {
    const mount = mounts[c];
    if (mount === undefined) {
      problems.push(`no ${c} hierarchy mounted`);
      continue;
    }
    const parent = join(mount, own.get(c) ?? '/', PARENT);
    try {
      provePlace(parent);
      parents[c] = parent;
    } catch (error) {
      problems.push(`${parent}: ${errorText(error)}`);
    }
  }
  if (parents.memory === undefined && parents.pids === undefined) {
    return {
      version: null,
      reason: `no writable cgroup (${problems.join('; ') || 'no cgroup file system mounted'}): run the runner as root with /sys/fs/cgroup mounted read-write`,
      parents: {},
    };
  }
  return { version: 1, reason: problems.length > 0 ? problems.join('; ') : null, parents };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the empty service cgroups a runner left behind when it ended
 * without cleaning up (killed, or `process.exit()` while services ran):
 * their names end in `-<runner pid>-<n>`, and that runner is gone. A cgroup
 * that still holds processes stays.
 */
export function sweepStaleCgroups(parents: Iterable<string>): number {
  let removed = 0;
  for (const parent of new Set(parents)) {
    let names: string[];
    try {
      names = readdirSync(parent, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /-(\d+)-\d+$/.exec(name);
      if (m === null || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
      try {
        rmdirSync(join(parent, name));
        removed++;
      } catch {
        // not empty (a process of it still runs), or gone already
      }
    }
  }
  return removed;
}

/** What this machine offers, decided once per process (stale cgroups of ended runners are swept then). */
export function cgroupSupport(): CgroupSupport {
  if (support === undefined) {
    support = detect();
    sweepStaleCgroups(Object.values(support.parents));
  }
  return support;
}

/** Logs once per process why services run without cgroups (rlimits alone). */
export function warnNoCgroups(logger: { warn(obj: object, msg: string): void } | undefined): void {
  const s = cgroupSupport();
  if (warned || s.version !== null) return;
  warned = true;
  logger?.warn(
    { reason: s.reason },
    `Services run without cgroups (rlimits alone: no limit on the memory and CPU of all of a service's processes together): ${s.reason}`,
  );
}

let serial = 0;

function counter(text: string | null, key: string): number {
  if (text === null) return 0;
  const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** One service's cgroup (one folder per v1 hierarchy, one folder on v2). */
export class ServiceCgroup {
  readonly version: 1 | 2;
  /** The folders, one per hierarchy. */
  readonly dirs: readonly string[];
  readonly #by: Partial<Record<Controller, string>>;
  #removed = false;

  private constructor(version: 1 | 2, by: Partial<Record<Controller, string>>) {
    this.version = version;
    this.#by = by;
    this.dirs = [...new Set(Object.values(by))];
  }

  /**
   * Makes the cgroup and writes the limits, or returns `null` where cgroups
   * are not available (nothing to clean up then). A limit that cannot be
   * written removes what was made and throws.
   */
  static create(serviceId: string, limits: NormalizedLimits): ServiceCgroup | null {
    const s = cgroupSupport();
    if (s.version === null) return null;
    const name = `${serviceId}-${process.pid}-${++serial}`;
    const by: Partial<Record<Controller, string>> = {};
    const made: string[] = [];
    try {
      for (const c of CONTROLLERS) {
        const parent = s.parents[c];
        if (parent === undefined) continue;
        const dir = join(parent, name);
        if (!made.includes(dir)) {
          // Another process may have removed an empty parent meanwhile.
          mkdirSync(parent, { recursive: true });
          mkdirSync(dir);
          made.push(dir);
        }
        by[c] = dir;
      }
      const group = new ServiceCgroup(s.version, by);
      group.#write(limits);
      return group;
    } catch (error) {
      for (const dir of made.reverse()) {
        try {
          rmdirSync(dir);
        } catch {
          // nothing joined it yet; a failure here leaves only an empty folder
        }
      }
      throw error;
    }
  }

  #write(limits: NormalizedLimits): void {
    const { memory, pids, cpu } = this.#by;
    const set = (dir: string | undefined, file: string, value: string | number): void => {
      if (dir !== undefined) writeFileSync(join(dir, file), String(value));
    };
    const memoryBytes = limits.totalMemoryBytes;
    if (this.version === 2) {
      if (memoryBytes !== null) {
        set(memory, 'memory.max', memoryBytes);
        if (memory !== undefined && existsSync(join(memory, 'memory.swap.max'))) set(memory, 'memory.swap.max', 0);
      }
      if (limits.processes !== null) set(pids, 'pids.max', limits.processes);
      if (limits.cpuQuota !== null) set(cpu, 'cpu.max', `${Math.round(limits.cpuQuota * 100_000)} 100000`);
      if (limits.cpuWeight !== null) set(cpu, 'cpu.weight', limits.cpuWeight);
      return;
    }
    if (memoryBytes !== null) {
      set(memory, 'memory.limit_in_bytes', memoryBytes);
      // With swap accounting, memory plus swap gets the same limit: the service cannot page out past it.
      if (memory !== undefined && existsSync(join(memory, 'memory.memsw.limit_in_bytes')))
        set(memory, 'memory.memsw.limit_in_bytes', memoryBytes);
    }
    if (limits.processes !== null) set(pids, 'pids.max', limits.processes);
    if (limits.cpuQuota !== null) {
      set(cpu, 'cpu.cfs_period_us', 100_000);
      set(cpu, 'cpu.cfs_quota_us', Math.round(limits.cpuQuota * 100_000));
    }
    if (limits.cpuWeight !== null) set(cpu, 'cpu.shares', Math.max(2, Math.round(limits.cpuWeight * 10.24)));
  }

  /**
   * The files the launcher writes `0` (itself) into before it runs the service: v1 `tasks`, v2
   * `cgroup.procs`. The launcher is a shell with one thread, so moving that thread moves all of it;
   * on v1 the kernel moves the calling thread alone without the global write lock of `cgroup.procs`
   * (whose first taking after a quiet spell waits for an RCU grace period, 5-15 ms).
   */
  get joinFiles(): string[] {
    return this.dirs.map((dir) => join(dir, this.version === 1 ? 'tasks' : 'cgroup.procs'));
  }

  /** PIDs in the cgroup now (every hierarchy). */
  members(): number[] {
    const pids = new Set<number>();
    for (const dir of this.dirs) {
      for (const line of (read(join(dir, 'cgroup.procs')) ?? '').split('\n')) if (line !== '') pids.add(Number(line));
    }
    return [...pids];
  }

  /** What the cgroup counted (zeros once it is removed). */
  counters(): CgroupCounters {
    const { memory, pids } = this.#by;
    const events = (dir: string | undefined, file: string): string | null =>
      dir === undefined ? null : read(join(dir, file));
    if (this.version === 2) {
      const mem = events(memory, 'memory.events');
      return {
        oomKills: counter(mem, 'oom_kill'),
        memoryLimitHits: counter(mem, 'max'),
        pidsLimitHits: counter(events(pids, 'pids.events'), 'max'),
      };
    }
    return {
      oomKills: counter(events(memory, 'memory.oom_control'), 'oom_kill'),
      memoryLimitHits: Number((events(memory, 'memory.failcnt') ?? '0').trim()) || 0,
      pidsLimitHits: counter(events(pids, 'pids.events'), 'max'),
    };
  }

  /** SIGKILL to every process in the cgroup; returns how many got it. */
  killAll(): number {
    let killed = 0;
    for (const pid of this.members()) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // gone meanwhile
      }
    }
    return killed;
  }

  /**
   * Removes the cgroup: kills what is still in it, then removes each folder,
   * retrying while the kernel finishes the last exits (at most `ms`).
   * Returns `false` when a folder could not be removed.
   */
  async remove(ms = 2_000): Promise<boolean> {
    if (this.#removed) return true;
    const deadline = Date.now() + ms;
    let left = [...this.dirs];
    for (;;) {
      this.killAll();
      left = left.filter((dir) => {
        try {
          rmdirSync(dir);
          return false;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code !== 'ENOENT';
        }
      });
      if (left.length === 0 || Date.now() >= deadline) break;
      await delay(10);
    }
    this.#removed = left.length === 0;
    return this.#removed;
  }
}

/**
 * The launcher in front of the service: a shell (one thread) that moves
 * itself into its cgroup by writing `0` into each of `joinFiles` (see
 * {@link ServiceCgroup.joinFiles}) and then `exec`s the service's program
 * (or bwrap), so it runs inside its cgroup from its first instruction.
 * Exit status 125 with a message when joining fails.
 */
export function joinCgroupArgs(joinFiles: readonly string[], file: string, args: readonly string[]): string[] {
  const script =
    'n=$1; shift; while [ "$n" -gt 0 ]; do echo 0 > "$1" || { echo "cannot join the cgroup $1" >&2; exit 125; }; shift; n=$((n-1)); done; exec "$@"';
  return ['-c', script, 'pactown-launch', String(joinFiles.length), ...joinFiles, file, ...args];
}

/** @internal Tests: forget the detection (and the warning). */
export function resetCgroupSupport(): void {
  support = undefined;
  warned = false;
}
