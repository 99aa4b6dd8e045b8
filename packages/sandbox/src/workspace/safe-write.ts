import { constants } from 'node:fs';
import { lstat, mkdir, open, realpath } from 'node:fs/promises';
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
 */
export async function safeWriteFile(root: string, relativePath: string, content: string | Uint8Array): Promise<string> {
  const checked = checkRelativePath(relativePath);
  if ('problem' in checked) throw new SandboxPathError(relativePath, checked.problem);
  const realRoot = await realpath(root);
  const segments = checked.path.split('/');
  let dir = realRoot;
  for (const segment of segments.slice(0, -1)) {
    const next = join(dir, segment);
    const stat = await lstat(next).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (stat === null) {
      await mkdir(next);
      dir = next;
    } else if (stat.isSymbolicLink()) {
      const target = await realpath(next).catch(() => null);
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
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(
      target,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
      mode,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new SandboxPathError(relativePath, 'the file is a symlink', { cause: error });
    throw error;
  }
  try {
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
  return target;
}

function isScript(content: string | Uint8Array): boolean {
  return typeof content === 'string' ? content.startsWith('#!') : content[0] === 0x23 && content[1] === 0x21;
}
