/**
 * Giving a service's own folder to the service's uid, and taking it back.
 * Only a folder this process made for the service with {@link createServiceDir}
 * inside a sandbox root qualifies: never a shared folder (the temp folder,
 * `/`, a home), never a folder outside the root, never a symlink. The walk
 * changes each entry with `lchown` and descends only into real directories,
 * so a symlink planted in the folder changes nothing outside it.
 */
import { lchownSync, lstatSync, mkdirSync, readdirSync, realpathSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ISOLATION_CODES, IsolationError } from './errors.js';
import { isInside, isSharedFolder } from './shared-paths.js';

// dev:ino of the folders this process created for services (kept across a rename, e.g. a staging folder swapped in).
const created = new Set<string>();

function refuse(dir: string, why: string): never {
  throw new IsolationError(
    ISOLATION_CODES.OWNERSHIP_REFUSED,
    `refused to change the owner of ${JSON.stringify(dir)}: ${why}`,
  );
}

function identity(path: string): string {
  const stat = lstatSync(path);
  return `${stat.dev}:${stat.ino}`;
}

/** The sandbox root, checked: absolute, a real directory (no symlink), not a shared folder. */
function checkedRoot(root: string): string {
  if (typeof root !== 'string' || !isAbsolute(root)) refuse(String(root), 'the sandbox root must be an absolute path');
  const stat = lstatSync(root);
  if (stat.isSymbolicLink() || !stat.isDirectory())
    refuse(root, 'the sandbox root must be a real directory, not a symlink');
  const real = realpathSync(root);
  if (isSharedFolder(real))
    refuse(
      real,
      'the sandbox root is a shared folder (the temp folder, /, a home or a system folder): use a folder of its own, e.g. one made by mkdtemp',
    );
  return real;
}

/** `dir`, checked: a real directory strictly inside the root that this process created for a service. */
function checkedServiceDir(root: string, dir: string): string {
  const realRoot = checkedRoot(root);
  if (typeof dir !== 'string' || !isAbsolute(dir)) refuse(String(dir), 'the folder must be an absolute path');
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(dir);
  } catch {
    return refuse(dir, 'it does not exist');
  }
  if (stat.isSymbolicLink() || !stat.isDirectory()) refuse(dir, 'it is not a real directory');
  const real = realpathSync(dir);
  if (!isInside(realRoot, real)) refuse(real, `it is not inside the sandbox root ${realRoot}`);
  if (isSharedFolder(real)) refuse(real, 'it is a shared folder');
  if (!created.has(`${stat.dev}:${stat.ino}`))
    refuse(real, 'it was not created for a service by this process (createServiceDir)');
  return real;
}

/**
 * Makes `name` (one path segment) inside the sandbox root as a new folder
 * (mode 0700, failing if it exists) and remembers it as made for a service.
 */
export function createServiceDir(root: string, name: string): string {
  const realRoot = checkedRoot(root);
  if (
    typeof name !== 'string' ||
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\0')
  ) {
    refuse(String(name), 'the name must be one path segment');
  }
  const dir = join(realRoot, name);
  mkdirSync(dir, { mode: 0o700 });
  created.add(identity(dir));
  return dir;
}

/** Forgets a folder made by {@link createServiceDir}; call it before removing the folder (an inode number can come back). */
export function forgetServiceDir(dir: string): void {
  try {
    created.delete(identity(dir));
  } catch {
    // already gone
  }
}

/** Changes the owner of the folder and everything in it, never following a symlink; returns how many entries changed. */
function walk(dir: string, uid: number, gid: number): number {
  let count = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const current = stack.pop()!;
    lchownSync(current, uid, gid);
    count++;
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) stack.push(path);
      else {
        lchownSync(path, uid, gid);
        count++;
      }
    }
  }
  return count;
}

/** Gives a service folder (see {@link createServiceDir}) to the service's uid and gid before it starts. */
export function handOverServiceDir(root: string, dir: string, owner: { uid: number; gid: number }): number {
  const real = checkedServiceDir(root, dir);
  if (!Number.isInteger(owner.uid) || owner.uid <= 0 || !Number.isInteger(owner.gid) || owner.gid <= 0) {
    refuse(real, `the new owner must be an unprivileged uid and gid, got ${owner.uid}:${owner.gid}`);
  }
  return walk(real, owner.uid, owner.gid);
}

/** Takes a service folder back for the runner's own uid once the service has ended (no process of it is left to race the walk). */
export function reclaimServiceDir(root: string, dir: string): number {
  const real = checkedServiceDir(root, dir);
  return walk(real, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
}
