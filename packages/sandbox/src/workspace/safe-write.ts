import { closeSync, constants, lstatSync, mkdirSync, openSync, realpathSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { SandboxPathError } from './errors.js';
import { checkRelativePath } from './paths.js';

/** True when `child` is `parent` or inside it (both absolute, resolved). */
export function isInside(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * Writes one file under `root`, refusing absolute paths, `..`, and any
 * existing folder or file on the way that is a symlink leading out of `root`.
 * The file itself is opened with O_NOFOLLOW, so a planted symlink is never
 * written through. Returns the absolute path written.
 *
 * The steps run synchronously (a service's files are small and bounded by
 * its content): a sandbox is written in one go, not one thread-pool round
 * trip per step interleaved with every other run in progress.
 */
export async function safeWriteFile(root: string, relativePath: string, content: string | Uint8Array): Promise<string> {
  return safeWriteFileSync(root, relativePath, content);
}

/** {@link safeWriteFile}, synchronously. */
export function safeWriteFileSync(root: string, relativePath: string, content: string | Uint8Array): string {
  return writeUnderRoot(realpathSync(root), relativePath, content);
}

/** @internal {@link safeWriteFileSync} under a root already resolved (a new sandbox: one realpath for all its files). */
export function writeUnderRoot(realRoot: string, relativePath: string, content: string | Uint8Array): string {
  const checked = checkRelativePath(relativePath);
  if ('problem' in checked) throw new SandboxPathError(relativePath, checked.problem);
  const segments = checked.path.split('/');
  let dir = realRoot;
  for (const segment of segments.slice(0, -1)) {
    const next = join(dir, segment);
    let stat: ReturnType<typeof lstatSync> | null;
    try {
      stat = lstatSync(next);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      stat = null;
    }
    if (stat === null) {
      mkdirSync(next);
      dir = next;
    } else if (stat.isSymbolicLink()) {
      let target: string | null;
      try {
        target = realpathSync(next);
      } catch {
        target = null;
      }
      if (target === null || !isInside(realRoot, target)) {
        throw new SandboxPathError(relativePath, `'${segment}' is a symlink leading out of the sandbox`);
      }
      dir = target;
    } else if (stat.isDirectory()) {
      dir = next;
    } else {
      throw new SandboxPathError(relativePath, `'${segment}' exists and is not a folder`);
    }
  }
  const target = join(dir, segments.at(-1)!);
  const mode = isScript(content) ? 0o755 : 0o644;
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new SandboxPathError(relativePath, 'the file is a symlink', { cause: error });
    throw error;
  }
  try {
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return target;
}

function isScript(content: string | Uint8Array): boolean {
  return typeof content === 'string' ? content.startsWith('#!') : content[0] === 0x23 && content[1] === 0x21;
}
