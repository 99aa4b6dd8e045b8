/**
 * Keeps earlier error files as `.1` ... `.N`, like a rotating handler. The
 * newest file is linked to `.1` before the new one is renamed over it, so the
 * base name never disappears, even for a moment. Every step is recorded, so
 * that a write that fails before its file is in place can put the folder back
 * as it was.
 */
import { codeOf } from './errors.js';
import { type ErrorFilesFs, quietly, tempPathFor } from './fs.js';
import { errorFilePath } from './paths.js';

/** A rotation done under the lock: what to delete once the write is in place, and how to undo it if not. */
export interface Rotation {
  /** Hidden names dropped entries were moved to, for the caller to delete once the write is in place. */
  readonly discarded: readonly string[];
  /** Puts every file back where it was before the rotation (best effort, in reverse order). */
  undo(): void;
}

/**
 * Shifts `.1..N-1` up by one and links the current file to `.1`. Call with
 * the service's lock held. If a step fails, the steps already taken are undone
 * before the error is thrown.
 */
export function rotateHistory(fs: ErrorFilesFs, dir: string, id: string, history: number): Rotation {
  const undoSteps: Array<() => void> = [];
  const undo = () => {
    while (undoSteps.length > 0) quietly(undoSteps.pop()!);
  };
  /** Renames `from` to `to`; `false` when `from` does not exist. */
  const move = (from: string, to: string): boolean => {
    try {
      fs.renameSync(from, to);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return false;
      throw error;
    }
    undoSteps.push(() => fs.renameSync(to, from));
    return true;
  };
  const discarded: string[] = [];
  try {
    if (history === 0) return { discarded, undo };
    const base = errorFilePath(dir, id);
    let st: ReturnType<ErrorFilesFs['lstatSync']>;
    try {
      st = fs.lstatSync(base);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return { discarded, undo };
      throw error;
    }
    // A planted link is not ours: it is not kept as history, and the rename of the new file replaces the link itself.
    // Anything else that is not a regular file is left for that rename to fail on.
    if (!st.isFile()) return { discarded, undo };
    const first = errorFilePath(dir, id, 1);
    // A service without `.1` has no history to shift (one lstat instead of N-1 failing renames).
    if (fs.lstatSync(first, { throwIfNoEntry: false })) {
      // The oldest entry moves to a hidden name and is deleted after the write: freeing its blocks
      // cost more than everything else in a write, and nobody needs to wait for it.
      const oldest = errorFilePath(dir, id, history);
      const trash = tempPathFor(oldest, 'old');
      if (move(oldest, trash)) discarded.push(trash);
      for (let i = history - 1; i >= 1; i--) move(errorFilePath(dir, id, i), errorFilePath(dir, id, i + 1));
    }
    // `.1` is free now unless another process put something there (or history is 1 and `.1` was the oldest: moved above).
    if (fs.lstatSync(first, { throwIfNoEntry: false })) {
      const trash = tempPathFor(first, 'old');
      if (move(first, trash)) discarded.push(trash);
    }
    try {
      fs.linkSync(base, first);
      undoSteps.push(() => fs.unlinkSync(first));
    } catch {
      // No hard links here (some network and FUSE file systems): a rename leaves a short gap instead.
      move(base, first);
    }
    return { discarded, undo };
  } catch (error) {
    undo();
    throw error;
  }
}
