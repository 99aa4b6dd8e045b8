/**
 * Keeps earlier error files as `.1` ... `.N`, like a rotating handler. The
 * newest file is linked to `.1` before the new one is renamed over it, so the
 * base name never disappears, even for a moment.
 */
import { codeOf } from './errors.js';
import { type ErrorFilesFs, removeIfExists, tempPathFor } from './fs.js';
import { errorFilePath } from './paths.js';

function renameIfExists(fs: ErrorFilesFs, from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}

/**
 * Shifts `.1..N-1` up by one and copies the current file to `.1`. Call with
 * the service's lock held. Returns the hidden name the dropped oldest entry
 * was moved to, for the caller to delete.
 */
export function rotateHistory(fs: ErrorFilesFs, dir: string, id: string, history: number): string | undefined {
  if (history === 0) return undefined;
  const base = errorFilePath(dir, id);
  let st: ReturnType<ErrorFilesFs['lstatSync']>;
  try {
    st = fs.lstatSync(base);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
  // A service without `.1` has no history to shift (one lstat instead of N-1 failing renames).
  let discarded: string | undefined;
  if (history > 1 && fs.lstatSync(errorFilePath(dir, id, 1), { throwIfNoEntry: false })) {
    // The oldest entry moves to a hidden name and is deleted after the write: freeing its blocks
    // cost more than everything else in a write, and nobody needs to wait for it.
    const oldest = errorFilePath(dir, id, history);
    const trash = tempPathFor(oldest, 'old');
    try {
      fs.renameSync(oldest, trash);
      discarded = trash;
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
    for (let i = history - 1; i >= 1; i--) renameIfExists(fs, errorFilePath(dir, id, i), errorFilePath(dir, id, i + 1));
  }
  if (st.isSymbolicLink()) {
    // Planted, not ours: drop the link itself, never what it points to.
    removeIfExists(fs, base);
    return discarded;
  }
  if (!st.isFile()) return discarded;
  const first = errorFilePath(dir, id, 1);
  removeIfExists(fs, first);
  try {
    fs.linkSync(base, first);
  } catch {
    // No hard links here (some network and FUSE file systems): a rename leaves a short gap instead.
    renameIfExists(fs, base, first);
  }
  return discarded;
}
