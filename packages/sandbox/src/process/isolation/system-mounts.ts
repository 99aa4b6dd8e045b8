/**
 * The host's system folders as the sandbox sees them: read-only binds of the
 * folders programs need, the merged-/usr symlinks kept as symlinks, and a
 * short list of /etc entries (name resolution, certificates, time zone,
 * the dynamic linker). Nothing else of the host's /etc (no passwd, shadow,
 * ssh keys) and nothing of /home, /root, /srv, /var or /work.
 *
 * An /etc entry that is a symlink into the system folders stays a symlink
 * (a bind would make it a plain file): `/etc/localtime` ->
 * `/usr/share/zoneinfo/<zone>` is how ICU (Node's `Intl`, the `Date` of an
 * HTTP answer) and others learn the zone's name; given a plain file, ICU
 * compares it with every file under /usr/share/zoneinfo, several
 * milliseconds at a service's first date. A symlink leading anywhere else
 * (e.g. resolv.conf into /run) is bound as before.
 */
import { type Stats, lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

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

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** bwrap arguments for the host's system folders (read-only) and the selected /etc entries. */
export function systemMountArgs(): string[] {
  const args: string[] = [];
  const visible: string[] = [];
  for (const dir of SYSTEM_DIRS) {
    const stat = lstatOrNull(dir);
    if (stat === null) continue;
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
    else continue;
    visible.push(dir);
  }
  const inSystem = (path: string): boolean => visible.some((dir) => path.startsWith(`${dir}/`));
  // bwrap would make /etc 0700 for the binds below: the service's uid could not read through it.
  args.push('--perms', '0755', '--dir', '/etc');
  for (const entry of ETC_ENTRIES) {
    const stat = lstatOrNull(entry);
    if (stat === null) continue;
    if (stat.isSymbolicLink()) {
      // Kept as a link only when both what it names and where it finally leads are in the system folders,
      // which the sandbox sees as the host does: inside it then leads to the same file.
      const target = readlinkSync(entry);
      const real = realOrNull(entry);
      if (real !== null && inSystem(resolve(dirname(entry), target)) && inSystem(real)) {
        args.push('--symlink', target, entry);
        continue;
      }
    }
    args.push('--ro-bind-try', entry, entry);
  }
  return args;
}
