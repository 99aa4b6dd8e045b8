/**
 * File-system access in one place: the calls this package makes (replaceable
 * for tests), the folder check, no-follow opening and the temp-file write.
 */
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import path from 'node:path';
import { ErrorFileError, codeOf, describeCause } from './errors.js';

/** The `node:fs/promises` calls used; pass a replacement in `options.fs`. */
export type ErrorFilesFs = Pick<typeof fsp, 'mkdir' | 'lstat' | 'stat' | 'chmod' | 'open' | 'rename' | 'link' | 'unlink' | 'readdir' | 'readFile'>;

export const nodeFs: ErrorFilesFs = fsp;

// O_NOFOLLOW is 0 where the platform lacks it (Windows); symlinks are then checked with lstat only.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
export const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;
export const READ_FLAGS = constants.O_RDONLY | NOFOLLOW;

/**
 * Creates the folder (`0700`) or checks the existing one: it must be a
 * directory; a folder of ours is narrowed to `0700`; a folder of another user
 * that others can write to is refused.
 */
export async function ensureDir(fs: ErrorFilesFs, dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    let st = await fs.lstat(dir);
    const uid = process.getuid?.();
    if (st.isSymbolicLink()) {
      if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
        throw new ErrorFileError(`Refusing log folder ${dir}: it is a symbolic link owned by another user (uid ${st.uid}).`, { path: dir, code: 'ELOOP' });
      }
      st = await fs.stat(dir);
    }
    if (!st.isDirectory()) throw new ErrorFileError(`Log folder ${dir} is not a directory.`, { path: dir, code: 'ENOTDIR' });
    if (uid === undefined) return;
    if (st.uid === uid) {
      if ((st.mode & 0o777) !== 0o700) await fs.chmod(dir, 0o700);
    } else if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
      throw new ErrorFileError(`Refusing log folder ${dir}: owned by uid ${st.uid} and writable by others.`, { path: dir, code: 'EPERM' });
    }
  } catch (error) {
    if (error instanceof ErrorFileError) throw error;
    throw new ErrorFileError(`Cannot use log folder ${dir}: ${describeCause(error)}.`, { path: dir, cause: error });
  }
}

let tempCounter = 0;

/** A temp-file name in the same folder as `target` (hidden, never matched by listings). */
export function tempPathFor(target: string): string {
  tempCounter = (tempCounter + 1) % 1e9;
  const rand = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${tempCounter}.${rand}.tmp`);
}

/**
 * Writes `text` to a new temp file (`0600`, never following a link, never
 * reusing a file). On any failure the temp file is removed and the error
 * names `target` and the cause.
 */
export async function writeTemp(fs: ErrorFilesFs, target: string, text: string, durable: boolean): Promise<string> {
  const temp = tempPathFor(target);
  let handle: Awaited<ReturnType<ErrorFilesFs['open']>> | undefined;
  try {
    handle = await fs.open(temp, CREATE_FLAGS, 0o600);
    await handle.writeFile(text, 'utf8');
    if (durable) await handle.sync();
    await handle.close();
    handle = undefined;
    return temp;
  } catch (error) {
    await handle?.close().catch(() => {});
    await fs.unlink(temp).catch(() => {});
    throw new ErrorFileError(`Cannot write error file ${target}: ${describeCause(error)}.`, { path: target, cause: error });
  }
}

/** `unlink` that ignores a file already gone. */
export async function removeIfExists(fs: ErrorFilesFs, file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}

/** fsync a folder so that a rename in it is durable (best effort: some platforms refuse). */
export async function syncDir(fs: ErrorFilesFs, dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close().catch(() => {});
}
