/**
 * Everything a sandboxed start needs, in one call: the mode decided, a uid
 * held for the service, the read-only paths its dependency environment
 * needs (the cached venv or node_modules it links to, and the interpreter
 * install a venv points at), and the bwrap command line. Under `'none'`
 * only explicitly given limits apply (through prlimit), nothing else changes.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ServiceCgroup, joinCgroupArgs, warnNoCgroups } from './cgroups.js';
import { ISOLATION_CODES, IsolationError } from './errors.js';
import { type NetworkMode, buildLaunch } from './launch.js';
import { type NormalizedLimits, type ResourceLimits, normalizeLimits, prlimitArgs } from './limits.js';
import { type IsolationMode, type ResolvedIsolation, resolveIsolation } from './mode.js';
import { handOverServiceDir } from './ownership.js';
import { isInside } from './shared-paths.js';
import { type UidLease, type UidPool, sharedUidPool } from './uid-pool.js';

/** The isolation options of `startService` (the runner passes the same ones). */
export interface IsolationOptions {
  /** `'namespaces'`: bwrap sandbox; `'none'`: a plain process, for trusted code only. @default 'namespaces' where bwrap works, else 'none' (one WARNING) */
  isolation?: IsolationMode;
  /** `'host'` keeps the host's network (the service must be reachable on its port); `'none'` gives it only a loopback of its own. @default 'host' */
  network?: NetworkMode;
  /** Resource limits; under `'none'` only the ones given here apply. @default DEFAULT_LIMITS under 'namespaces' */
  limits?: ResourceLimits;
  /** More host folders the service may read (bound read-only at the same path), e.g. a runtime outside /usr. @default [] */
  readOnlyPaths?: readonly string[];
  /** Where service uids come from. @default a process-wide pool of 200000-265535 */
  uidPool?: UidPool;
}

export interface PreparedStart {
  mode: IsolationMode;
  resolved: ResolvedIsolation;
  /** What to spawn. */
  file: string;
  args: string[];
  env: Record<string, string>;
  /** The uid held for the service (`null` under 'none' or without root); release it once the service is gone. */
  lease: UidLease | null;
  limits: NormalizedLimits | null;
  /** The spawned process is bwrap: an exit status `128+N` means the service died of signal N. */
  wrapped: boolean;
  /** The service's cgroup (`null` without cgroups, or under 'none' without `limits`); remove it once the service is gone. */
  cgroup: ServiceCgroup | null;
}

interface WarnLogger {
  warn(obj: object, msg: string): void;
}

const SYSTEM_PREFIXES = ['/usr', '/bin', '/sbin', '/lib', '/lib64'];

function underSystem(path: string): boolean {
  return SYSTEM_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/**
 * Host folders a service's dependency environment needs: the real folder a
 * linked `.venv` / `node_modules` lives in (when outside the sandbox), and
 * the Python install a venv was made from (pyvenv.cfg `home`) when it is not
 * under /usr.
 */
export function environmentPaths(cwd: string, envDir: string | null | undefined): string[] {
  const out = new Set<string>();
  const realCwd = realOrNull(cwd) ?? cwd;
  const dirs = envDir
    ? [envDir]
    : ['.venv', 'node_modules'].map((name) => join(cwd, name)).filter((p) => existsSync(p));
  for (const dir of dirs) {
    const real = realOrNull(dir);
    if (real === null) continue;
    if (!isInside(realCwd, real) && real !== realCwd) out.add(real);
    const cfg = join(real, 'pyvenv.cfg');
    if (!existsSync(cfg)) continue;
    const home = /^home\s*=\s*(.+)$/m.exec(readFileSync(cfg, 'utf8'))?.[1]?.trim();
    const realHome = home ? realOrNull(home) : null;
    if (realHome === null) continue;
    const prefix = basename(realHome) === 'bin' ? dirname(realHome) : realHome;
    if (!underSystem(prefix)) out.add(prefix);
    // The venv's interpreter link may lead elsewhere still (pyenv shims resolve to versions/<x>/bin).
    const python = realOrNull(join(real, 'bin', 'python'));
    if (python !== null && !underSystem(python)) {
      const pyPrefix = dirname(dirname(python));
      if (!underSystem(pyPrefix)) out.add(pyPrefix);
    }
  }
  return [...out];
}

export function prepareStart(input: {
  serviceId: string;
  file: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  envDir?: string | null;
  options: IsolationOptions;
  logger?: WarnLogger;
  /**
   * The sandbox root `cwd` was made in with `createServiceDir`: the folder is
   * then handed to the service's uid so the service can write it. Without it
   * nothing changes owner, and the folder must already be the service's to write.
   */
  sandboxRoot?: string;
}): PreparedStart {
  const { options } = input;
  if (options.network !== undefined && options.network !== 'host' && options.network !== 'none') {
    throw new TypeError(`[@pactown/sandbox] network must be 'host' or 'none', got ${JSON.stringify(options.network)}`);
  }
  if (
    options.readOnlyPaths !== undefined &&
    (!Array.isArray(options.readOnlyPaths) || options.readOnlyPaths.some((p) => typeof p !== 'string'))
  ) {
    throw new TypeError('[@pactown/sandbox] readOnlyPaths must be an array of absolute paths');
  }
  const resolved = resolveIsolation(options.isolation, { logger: input.logger });
  /** The service's cgroup, and the launcher that puts it there before the program runs. */
  const contain = (
    limits: NormalizedLimits,
    file: string,
    args: string[],
  ): { file: string; args: string[]; cgroup: ServiceCgroup | null } => {
    warnNoCgroups(input.logger);
    let cgroup: ServiceCgroup | null = null;
    try {
      cgroup = ServiceCgroup.create(input.serviceId, limits);
    } catch (error) {
      input.logger?.warn(
        { err: error, service: input.serviceId },
        `The cgroup of ${input.serviceId} could not be made (${(error as Error).message}): it runs with rlimits alone`,
      );
    }
    if (cgroup === null) return { file, args, cgroup };
    return { file: '/bin/sh', args: joinCgroupArgs(cgroup.joinFiles, file, args), cgroup };
  };
  if (resolved.mode === 'none') {
    if (options.network === 'none') {
      throw new IsolationError(
        ISOLATION_CODES.ISOLATION_UNAVAILABLE,
        "network: 'none' needs isolation 'namespaces' (a plain process always has the host's network)",
      );
    }
    const limits = options.limits === undefined ? null : normalizeLimits(options.limits);
    const rl = limits === null ? [] : prlimitArgs(limits, { perUid: false });
    if (limits === null)
      return {
        mode: 'none',
        resolved,
        file: input.file,
        args: [...input.args],
        env: input.env,
        lease: null,
        limits,
        wrapped: false,
        cgroup: null,
      };
    const run =
      rl.length === 0
        ? { file: input.file, args: [...input.args] }
        : { file: '/usr/bin/prlimit', args: [...rl, '--', input.file, ...input.args] };
    return {
      mode: 'none',
      resolved,
      ...contain(limits, run.file, run.args),
      env: input.env,
      lease: null,
      limits,
      wrapped: false,
    };
  }
  const limits = normalizeLimits(options.limits);
  const probe = resolved.probe!;
  const lease = probe.perServiceUid ? (options.uidPool ?? sharedUidPool()).acquire(input.serviceId) : null;
  try {
    const env = { ...input.env };
    // The host's home and temp folders do not exist inside: the sandbox folder and the private /tmp stand in.
    const realCwd = realpathSync(input.cwd);
    if (env.HOME === undefined || !(env.HOME === realCwd || isInside(realCwd, env.HOME))) env.HOME = realCwd;
    env.TMPDIR = '/tmp';
    if (input.sandboxRoot !== undefined && lease !== null) handOverServiceDir(input.sandboxRoot, input.cwd, lease);
    const plan = buildLaunch({
      file: input.file,
      args: input.args,
      cwd: input.cwd,
      env,
      readOnlyPaths: [...environmentPaths(input.cwd, input.envDir), ...(options.readOnlyPaths ?? [])],
      network: options.network ?? 'host',
      identity: lease === null ? null : { uid: lease.uid, gid: lease.gid },
      limits,
      bwrap: probe.bwrap!,
    });
    return {
      mode: 'namespaces',
      resolved,
      ...contain(limits, plan.file, plan.args),
      env: plan.env,
      lease,
      limits,
      wrapped: true,
    };
  } catch (error) {
    lease?.release();
    throw error;
  }
}
