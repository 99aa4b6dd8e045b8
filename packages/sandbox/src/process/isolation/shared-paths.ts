/**
 * Folders no sandbox may be, contain, or change the ownership of: the
 * machine's shared places. A sandbox root inside one (a `mkdtemp` folder
 * under the temp folder) is fine; the shared folder itself never is.
 */
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, relative, resolve, sep } from 'node:path';

const FIXED = [
  '/',
  '/tmp',
  '/var/tmp',
  '/dev/shm',
  '/root',
  '/home',
  '/work',
  '/srv',
  '/opt',
  '/usr',
  '/etc',
  '/var',
  '/bin',
  '/sbin',
  '/lib',
  '/lib64',
  '/boot',
  '/dev',
  '/proc',
  '/sys',
  '/run',
  '/mnt',
  '/media',
];

/** The shared folders, resolved now (tmpdir and home can differ per process). */
export function sharedFolders(): string[] {
  const list = new Set(FIXED);
  for (const dynamic of [tmpdir(), homedir()]) {
    if (dynamic) list.add(resolve(dynamic));
  }
  return [...list];
}

/** Whether `dir` is a shared folder or an ancestor of one (so it would contain one). */
export function isSharedFolder(dir: string): boolean {
  const target = resolve(dir);
  return sharedFolders().some((shared) => shared === target || isInside(target, shared));
}

/** Whether `child` lies strictly inside `parent` (both absolute, already resolved). */
export function isInside(parent: string, child: string): boolean {
  if (!isAbsolute(parent) || !isAbsolute(child)) return false;
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
