/**
 * The bwrap command line of one service: new PID, IPC, UTS and mount
 * namespaces (and network with `network: 'none'`), the host's system folders
 * read-only, the sandbox folder writable, a private /tmp, the dependency
 * environment read-only, a fresh /proc of the new PID namespace, and an
 * explicit environment. Run as root, the service then drops to its own
 * unprivileged uid and gid with no capabilities (`setpriv`); run as another
 * user, bwrap makes a user namespace and drops every capability itself.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { ISOLATION_CODES, IsolationError } from './errors.js';
import { type NormalizedLimits, prlimitArgs } from './limits.js';
import { isSharedFolder } from './shared-paths.js';
import { systemMountArgs } from './system-mounts.js';

export type NetworkMode = 'host' | 'none';

export interface LaunchSpec {
  /** The program (resolved through the sandbox's `PATH` when not absolute). */
  file: string;
  args: readonly string[];
  /** The sandbox folder: bound writable at the same path and the working directory. */
  cwd: string;
  /** Dependency environments and interpreter installs, bound read-only at the same path. */
  readOnlyPaths?: readonly string[];
  /** The service's whole environment (nothing else reaches it). */
  env: Readonly<Record<string, string>>;
  /** @default 'host' */
  network?: NetworkMode;
  /** The service's own uid and gid; `null` when the runner is not root (bwrap's user namespace then maps the runner's uid). */
  identity: { uid: number; gid: number } | null;
  limits: NormalizedLimits;
  /** Absolute path of bwrap. */
  bwrap: string;
  /** Absolute paths of util-linux's `prlimit` and `setpriv`. @default '/usr/bin/prlimit', '/usr/bin/setpriv' */
  prlimit?: string;
  setpriv?: string;
}

/** What to spawn: bwrap with an empty environment of its own (the service's comes through `--setenv`). */
export interface LaunchPlan {
  file: string;
  args: string[];
  env: Record<string, string>;
}

/** A real, absolute directory that is not a symlink and not a shared folder. */
function checkedDir(what: string, path: string, { shared }: { shared: boolean }): string {
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw new IsolationError(
      ISOLATION_CODES.BAD_MOUNT,
      `${what} must be an absolute path, got ${JSON.stringify(path)}`,
    );
  }
  let real: string;
  try {
    if (lstatSync(path).isSymbolicLink() && !shared) {
      throw new IsolationError(
        ISOLATION_CODES.BAD_MOUNT,
        `${what} ${JSON.stringify(path)} is a symlink: give the real folder`,
      );
    }
    real = realpathSync(path);
  } catch (error) {
    if (error instanceof IsolationError) throw error;
    throw new IsolationError(ISOLATION_CODES.BAD_MOUNT, `${what} ${JSON.stringify(path)} does not exist`, {
      cause: error,
    });
  }
  if (!shared && isSharedFolder(real)) {
    throw new IsolationError(
      ISOLATION_CODES.BAD_MOUNT,
      `${what} ${JSON.stringify(real)} is a shared folder (the temp folder, a home, a system folder or one containing them): give the service a folder of its own`,
    );
  }
  return real;
}

/** bwrap's argv for one service; throws {@link IsolationError} for an unusable path. */
export function buildLaunch(spec: LaunchSpec): LaunchPlan {
  const cwd = checkedDir('cwd', spec.cwd, { shared: false });
  const args: string[] = [
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'sandbox',
    '--die-with-parent',
    '--new-session',
  ];
  if (spec.network === 'none') args.push('--unshare-net');
  if (spec.identity === null) args.push('--unshare-user', '--disable-userns', '--cap-drop', 'ALL');
  else {
    // setpriv needs these to change uid, drop groups and empty the bounding set (it drops them all); bwrap's
    // --chdir into the service's own 0700 folder needs DAC_READ_SEARCH.
    args.push(
      '--cap-drop',
      'ALL',
      '--cap-add',
      'CAP_SETUID',
      '--cap-add',
      'CAP_SETGID',
      '--cap-add',
      'CAP_SETPCAP',
      '--cap-add',
      'CAP_DAC_READ_SEARCH',
    );
  }
  args.push(...systemMountArgs());
  args.push('--proc', '/proc', '--dev', '/dev');
  const size = spec.limits.tmpBytes === null ? [] : ['--size', String(spec.limits.tmpBytes)];
  for (const tmp of ['/tmp', '/var/tmp', '/dev/shm']) args.push('--perms', '1777', ...size, '--tmpfs', tmp);
  const made = new Set<string>();
  // bwrap copies the host's modes onto the folders it makes above a bind (a 0700 mkdtemp root would
  // lock the service out); made first as 0711, the service can pass through them but not list them.
  const parents = (path: string): void => {
    for (let dir = dirname(path); dir !== '/' && !made.has(dir); dir = dirname(dir)) made.add(dir);
  };
  const readOnly = (spec.readOnlyPaths ?? []).map((path) => checkedDir('readOnlyPaths entry', path, { shared: false }));
  for (const path of [...readOnly, cwd]) parents(path);
  for (const dir of [...made].sort()) args.push('--perms', '0711', '--dir', dir);
  for (const real of readOnly) args.push('--ro-bind', real, real);
  // Last, so nothing above can cover it; the path stays the same inside.
  args.push('--bind', cwd, cwd, '--chdir', cwd);
  args.push('--clearenv');
  for (const [key, value] of Object.entries(spec.env)) {
    if (key === '' || key.includes('=') || key.includes('\0') || value.includes('\0')) {
      throw new TypeError(`[@pactown/sandbox] env key ${JSON.stringify(key)} cannot be passed to the sandbox`);
    }
    args.push('--setenv', key, value);
  }
  args.push(
    '--',
    spec.prlimit ?? '/usr/bin/prlimit',
    ...prlimitArgs(spec.limits, { perUid: spec.identity !== null }),
    '--',
  );
  if (spec.identity !== null) {
    const { uid, gid } = spec.identity;
    if (!Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid) || gid <= 0) {
      throw new TypeError(`[@pactown/sandbox] the service's uid and gid must be positive integers, got ${uid}:${gid}`);
    }
    args.push(
      spec.setpriv ?? '/usr/bin/setpriv',
      `--reuid=${uid}`,
      `--regid=${gid}`,
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--no-new-privs',
      '--',
    );
  }
  args.push(spec.file, ...spec.args);
  return { file: spec.bwrap, args, env: {} };
}
