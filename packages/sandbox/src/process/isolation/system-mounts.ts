/**
 * The host's system folders as the sandbox sees them: read-only binds of the
 * folders programs need, the merged-/usr symlinks kept as symlinks, and a
 * short list of /etc entries (name resolution, certificates, time zone,
 * the dynamic linker). Nothing else of the host's /etc (no passwd, shadow,
 * ssh keys) and nothing of /home, /root, /srv, /var or /work.
 */
import { type Stats, lstatSync, readlinkSync } from 'node:fs';

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

const ETC_ENTRIES = [
  '/etc/alternatives',
  '/etc/ca-certificates',
  '/etc/ssl',
  '/etc/pki',
  '/etc/hosts',
  '/etc/host.conf',
  '/etc/resolv.conf',
  '/etc/nsswitch.conf',
  '/etc/gai.conf',
  '/etc/services',
  '/etc/protocols',
  '/etc/localtime',
  '/etc/timezone',
  '/etc/ld.so.cache',
  '/etc/ld.so.conf',
  '/etc/ld.so.conf.d',
  '/etc/mime.types',
  '/etc/os-release',
];

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** bwrap arguments for the host's system folders (read-only) and the selected /etc entries. */
export function systemMountArgs(): string[] {
  const args: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const stat = lstatOrNull(dir);
    if (stat === null) continue;
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  // bwrap would make /etc 0700 for the binds below: the service's uid could not read through it.
  args.push('--perms', '0755', '--dir', '/etc');
  for (const entry of ETC_ENTRIES) {
    if (lstatOrNull(entry) !== null) args.push('--ro-bind-try', entry, entry);
  }
  return args;
}
