/**
 * Whether bwrap can create the sandbox on this machine, found by running it
 * once for real (the same namespaces, mounts and uid change a service gets)
 * and cached for the life of the process.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { DEFAULT_LIMITS } from './limits.js';
import { buildLaunch } from './launch.js';

export interface BwrapProbe {
  /** bwrap ran a process in new namespaces. */
  ok: boolean;
  /** The bwrap binary (absolute), or `null` when none was found. */
  bwrap: string | null;
  /** The runner is root, so each service gets its own uid (else the user namespace maps the runner's). */
  perServiceUid: boolean;
  /** Why it does not work; `null` when it does. */
  reason: string | null;
  /** What to do about it; `null` when it works. */
  fix: string | null;
}

const PROBE_UID = 65_533; // unprivileged and outside the service range: the probe never holds a service's uid
const cache = new Map<string, BwrapProbe>();

/** Finds an executable on `PATH` (or checks an absolute one). */
export function findExecutable(name: string, path = process.env.PATH ?? '/usr/bin:/bin'): string | null {
  const candidates = isAbsolute(name)
    ? [name]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next one
    }
  }
  return null;
}

function isRoot(): boolean {
  return typeof process.geteuid === 'function' && process.geteuid() === 0;
}

/** Runs the probe once per bwrap name; later calls answer from the cache. */
export function probeBwrap(name = 'bwrap'): BwrapProbe {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const result = runProbe(name);
  cache.set(name, result);
  return result;
}

/** Forgets cached probes (tests, or after installing bwrap). */
export function clearProbeCache(): void {
  cache.clear();
}

function runProbe(name: string): BwrapProbe {
  const install = 'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)';
  if (process.platform !== 'linux') {
    return {
      ok: false,
      bwrap: null,
      perServiceUid: false,
      reason: `namespaces need Linux (this is ${process.platform})`,
      fix: 'run services on Linux, or set isolation: "none" for trusted code only',
    };
  }
  const bwrap = findExecutable(name);
  if (bwrap === null)
    return { ok: false, bwrap: null, perServiceUid: false, reason: `${name} was not found on PATH`, fix: install };
  const perServiceUid = isRoot();
  for (const tool of ['/usr/bin/prlimit', ...(perServiceUid ? ['/usr/bin/setpriv'] : [])]) {
    if (findExecutable(tool) === null) {
      return {
        ok: false,
        bwrap,
        perServiceUid,
        reason: `${tool} is missing`,
        fix: 'install util-linux (it provides prlimit and setpriv)',
      };
    }
  }
  // An empty folder of its own for the probe's writable bind, removed right after.
  const cwd = mkdtempSync(join(tmpdir(), 'pactown-bwrap-probe-'));
  let run: SpawnSyncReturns<string>;
  try {
    const plan = buildLaunch({
      file: '/bin/sh',
      args: ['-c', 'test "$(id -u)" != 0 && test -r /proc/1/stat'],
      cwd,
      env: { PATH: '/usr/bin:/bin' },
      identity: perServiceUid ? { uid: PROBE_UID, gid: PROBE_UID } : null,
      limits: DEFAULT_LIMITS,
      bwrap,
    });
    run = spawnSync(plan.file, plan.args, {
      env: plan.env,
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmdirSync(cwd);
  }
  if (run.error !== undefined) {
    return { ok: false, bwrap, perServiceUid, reason: `${bwrap} could not run: ${run.error.message}`, fix: install };
  }
  if (run.status === 0) return { ok: true, bwrap, perServiceUid, reason: null, fix: null };
  const stderr = (run.stderr ?? '').trim().split('\n').slice(-3).join(' ');
  return {
    ok: false,
    bwrap,
    perServiceUid,
    reason: `${bwrap} could not create the sandbox (exit ${run.status ?? run.signal}): ${stderr || 'no message'}`,
    fix: perServiceUid
      ? 'in a container, allow namespace creation (e.g. Docker --security-opt seccomp=unconfined --cap-add SYS_ADMIN, or run the runner on the host)'
      : 'run the runner as root (each service then gets its own uid), or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; on Ubuntu 24.04 also kernel.apparmor_restrict_unprivileged_userns=0)',
  };
}
