/**
 * File-system access in one place: the calls this package makes (replaceable
 * for tests), the folder check and the temp-file write.
 *
 * The calls are Node's synchronous ones, made inside async functions so that
 * every failure still arrives as a rejection. A crash report is a handful of
 * small system calls (about 15, well under a millisecond together); sent
 * through the thread pool one by one on a loaded machine they took ten times
 * longer than the write itself.
 */
import * as nodeFsModule from 'node:fs';
import path from 'node:path';
import { CODES, ErrorFileError, codeOf, describeCause } from './errors.js';

/** The `node:fs` calls used; pass a replacement in `options.fs`. */
export type ErrorFilesFs = Pick<
  typeof nodeFsModule,
  | 'mkdirSync'
  | 'lstatSync'
  | 'statSync'
  | 'chmodSync'
  | 'openSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'closeSync'
  | 'renameSync'
  | 'linkSync'
  | 'unlinkSync'
  | 'readdirSync'
  | 'readFileSync'
>;

export const nodeFs: ErrorFilesFs = nodeFsModule;

const { constants } = nodeFsModule;
// O_NOFOLLOW is 0 where the platform lacks it (Windows); symlinks are then checked with lstat only.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
export const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW;
// O_NONBLOCK: opening a FIFO planted under an error-file name must not hang the reader.
export const READ_FLAGS = constants.O_RDONLY | NOFOLLOW | (constants.O_NONBLOCK ?? 0);

/**
 * Creates the folder (`0700`) or checks the existing one: it must be a
 * directory; a folder of ours is narrowed to `0700`; a folder of another user
 * that others can write to (without the sticky bit) is refused.
 */
export function ensureDir(fs: ErrorFilesFs, dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    let st = fs.lstatSync(dir);
    const uid = process.getuid?.();
    if (st.isSymbolicLink()) {
      if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
        throw new ErrorFileError(
          `Refusing log folder ${dir}: it is a symbolic link owned by another user (uid ${st.uid}).`,
          { code: CODES.UNSAFE_LOG_DIR, path: dir, systemCode: 'ELOOP' },
        );
      }
      st = fs.statSync(dir);
    }
    if (!st.isDirectory())
      throw new ErrorFileError(`Log folder ${dir} is not a directory.`, {
        code: CODES.UNSAFE_LOG_DIR,
        path: dir,
        systemCode: 'ENOTDIR',
      });
    if (uid === undefined) return;
    if (st.uid === uid) {
      if ((st.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
    } else if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
      throw new ErrorFileError(`Refusing log folder ${dir}: owned by uid ${st.uid} and writable by others.`, {
        code: CODES.UNSAFE_LOG_DIR,
        path: dir,
        systemCode: 'EPERM',
      });
    }
  } catch (error) {
    if (error instanceof ErrorFileError) throw error;
    throw new ErrorFileError(`Cannot use log folder ${dir}: ${describeCause(error)}.`, {
      code: CODES.LOG_DIR_FAILED,
      path: dir,
      cause: error,
    });
  }
}

let tempCounter = 0;

/** A hidden name in the same folder as `target`, never matched by listings: `.tmp` for a file being written, `.old` for one being deleted. */
export function tempPathFor(target: string, suffix: 'tmp' | 'old' = 'tmp'): string {
  tempCounter = (tempCounter + 1) % 1e9;
  const rand = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${tempCounter}.${rand}.${suffix}`);
}

/** Writes all of `data` at the descriptor's position. */
export function writeAll(fs: ErrorFilesFs, fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
}

/**
 * Writes `text` to a new temp file (`0600`, never following a link, never
 * reusing a file). On any failure the temp file is removed and the error
 * names `target` and the cause.
 */
export function writeTemp(fs: ErrorFilesFs, target: string, text: string, durable: boolean): string {
  const temp = tempPathFor(target);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, CREATE_FLAGS, 0o600);
    writeAll(fs, fd, Buffer.from(text, 'utf8'));
    if (durable) fs.fsyncSync(fd);
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    return temp;
  } catch (error) {
    if (fd !== undefined) quietly(() => fs.closeSync(fd!));
    quietly(() => fs.unlinkSync(temp));
    throw new ErrorFileError(`Cannot write error file ${target}: ${describeCause(error)}.`, {
      code: CODES.WRITE_FAILED,
      path: target,
      cause: error,
    });
  }
}

/** Runs a clean-up step whose failure must not hide the error being reported. */
export function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // Clean-up only.
  }
}

/** `unlinkSync` that ignores a file already gone. */
export function removeIfExists(fs: ErrorFilesFs, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}

/** fsync a folder so that a rename in it is durable (best effort: some platforms refuse). */
export function syncDir(fs: ErrorFilesFs, dir: string): void {
  quietly(() => {
    const fd = fs.openSync(dir, constants.O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  });
}
