/**
 * Resource limits per service, applied as rlimits by `prlimit` (util-linux)
 * in front of the service, and through a cgroup of its own where the
 * machine lets us make one (see `cgroups.ts`). rlimits are per process
 * except `processes`, which the kernel counts per real uid: as an rlimit it
 * only contains a service that has a uid of its own (isolation
 * `'namespaces'` as root), so `'none'` skips the rlimit; the cgroup's
 * `pids.max` counts the service's own processes and threads in every mode.
 */

/** Limits of one service; `null` leaves a limit unset (inherited from the runner). */
export interface ResourceLimits {
  /** Address space in bytes (`RLIMIT_AS`); an allocation past it fails (Python `MemoryError`, Node heap out of memory). @default 1073741824 (1 GiB) */
  memoryBytes?: number | null;
  /** Processes and threads: the cgroup's `pids.max`, and `RLIMIT_NPROC` of the service's uid when it has one of its own; contains a fork bomb. @default 256 */
  processes?: number | null;
  /** Open file descriptors per process (`RLIMIT_NOFILE`). @default 1024 */
  openFiles?: number | null;
  /** Largest file the service may write, in bytes (`RLIMIT_FSIZE`); past it the write fails with `SIGXFSZ`. @default 1073741824 (1 GiB) */
  fileSizeBytes?: number | null;
  /** CPU seconds per process (`RLIMIT_CPU`, `SIGXCPU` at the limit); unset by default because a long-running service accumulates CPU time legitimately. @default null */
  cpuSeconds?: number | null;
  /** Core dump size in bytes (`RLIMIT_CORE`). @default 0 */
  coreBytes?: number | null;
  /** Memory of all the service's processes together, page cache and tmpfs included (cgroup `memory.max` / `memory.limit_in_bytes`); past it the kernel's OOM killer ends a process of the service. Only where cgroups are writable. @default 1073741824 (1 GiB) */
  totalMemoryBytes?: number | null;
  /** CPUs the service may use at most, e.g. `0.5` for half of one (cgroup `cpu.max` / `cpu.cfs_quota_us`). Only where cgroups are writable. @default null */
  cpuQuota?: number | null;
  /** The service's share of CPU time against the other services when the CPUs are busy, 1-10000 (cgroup `cpu.weight`, or `cpu.shares` = weight x 10.24 on cgroup v1). Only where cgroups are writable. @default 100 */
  cpuWeight?: number | null;
  /** Size of each private tmpfs (`/tmp`, `/var/tmp`, `/dev/shm`) under `'namespaces'`; tmpfs pages are not counted in `memoryBytes`. @default 67108864 (64 MiB) */
  tmpBytes?: number | null;
}

export type NormalizedLimits = { readonly [K in keyof ResourceLimits]-?: number | null };

export const DEFAULT_LIMITS: NormalizedLimits = Object.freeze({
  memoryBytes: 1024 ** 3,
  processes: 256,
  openFiles: 1024,
  fileSizeBytes: 1024 ** 3,
  cpuSeconds: null,
  coreBytes: 0,
  tmpBytes: 64 * 1024 * 1024,
  totalMemoryBytes: 1024 ** 3,
  cpuQuota: null,
  cpuWeight: 100,
});

/** The rlimit each option sets, with the `prlimit` flag and the option's minimum. */
export const LIMIT_TABLE: Readonly<
  Record<keyof ResourceLimits, { flag: string | null; resource: string; min: number; max?: number; integer?: false }>
> = Object.freeze({
  memoryBytes: { flag: '--as', resource: 'RLIMIT_AS', min: 16 * 1024 * 1024 },
  processes: { flag: '--nproc', resource: 'RLIMIT_NPROC', min: 1 },
  openFiles: { flag: '--nofile', resource: 'RLIMIT_NOFILE', min: 16 },
  fileSizeBytes: { flag: '--fsize', resource: 'RLIMIT_FSIZE', min: 1 },
  cpuSeconds: { flag: '--cpu', resource: 'RLIMIT_CPU', min: 1 },
  coreBytes: { flag: '--core', resource: 'RLIMIT_CORE', min: 0 },
  tmpBytes: { flag: null, resource: 'tmpfs size', min: 1024 * 1024 },
  totalMemoryBytes: { flag: null, resource: 'cgroup memory', min: 4 * 1024 * 1024 },
  cpuQuota: { flag: null, resource: 'cgroup cpu quota', min: 0.01, integer: false },
  cpuWeight: { flag: null, resource: 'cgroup cpu weight', min: 1, max: 10_000 },
});

const KEYS = Object.keys(LIMIT_TABLE) as Array<keyof ResourceLimits>;

/** Defaults applied and every value checked; unknown keys and bad values are a `TypeError` naming the option. */
export function normalizeLimits(input: ResourceLimits | undefined): NormalizedLimits {
  if (input === undefined) return DEFAULT_LIMITS;
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`[@pactown/sandbox] limits must be an object, got ${String(input)}`);
  }
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(LIMIT_TABLE, key)) {
      throw new TypeError(`[@pactown/sandbox] unknown option 'limits.${key}' (valid: ${KEYS.join(', ')})`);
    }
  }
  const out = Object.create(null) as Record<keyof ResourceLimits, number | null>;
  for (const key of KEYS) {
    const value = input[key];
    if (value === undefined) {
      out[key] = DEFAULT_LIMITS[key];
      continue;
    }
    const { min, max, integer } = LIMIT_TABLE[key];
    const whole = integer !== false;
    if (
      value !== null &&
      (typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (whole && !Number.isSafeInteger(value)) ||
        value < min ||
        (max !== undefined && value > max))
    ) {
      const range = max === undefined ? `>= ${min}` : `from ${min} to ${max}`;
      throw new TypeError(
        `[@pactown/sandbox] limits.${key} must be null or ${whole ? 'an integer' : 'a number'} ${range}, got ${String(value)}`,
      );
    }
    out[key] = value;
  }
  return Object.freeze(out);
}

/**
 * `prlimit` arguments that set soft and hard limit alike (the service cannot
 * raise them again; for `cpuSeconds` the hard limit is one second above);
 * `perUid: false` leaves out the per-uid `processes`.
 */
export function prlimitArgs(limits: NormalizedLimits, { perUid }: { perUid: boolean }): string[] {
  const args: string[] = [];
  for (const key of KEYS) {
    const value = limits[key];
    const { flag } = LIMIT_TABLE[key];
    if (value === null || flag === null) continue;
    if (key === 'processes' && !perUid) continue;
    // At the soft CPU limit the kernel sends SIGXCPU, at the hard one SIGKILL: a second between them lets
    // the end be told apart (a service may raise its soft limit by that second, no more).
    if (key === 'cpuSeconds') args.push(`${flag}=${value}:${value + 1}`);
    else args.push(`${flag}=${value}`);
  }
  return args;
}

/** The limits only a cgroup can apply. */
export const CGROUP_ONLY: readonly (keyof ResourceLimits)[] = ['totalMemoryBytes', 'cpuQuota', 'cpuWeight'];
