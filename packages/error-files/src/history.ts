/**
 * Keeps earlier error files as `.1` ... `.N`, like a rotating handler. The
 * newest file is linked to `.1` before the new one is renamed over it, so the
 * base name never disappears, even for a moment.
 */
import { codeOf } from './errors.js';
import { type ErrorFilesFs, removeIfExists } from './fs.js';
import { errorFilePath } from './paths.js';

async function renameIfExists(fs: ErrorFilesFs, from: string, to: string): Promise<void> {
  try {
    await fs.rename(from, to);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}

/** Shifts `.1..N-1` up by one and copies the current file to `.1`. Call with the service's lock held. */
export async function rotateHistory(fs: ErrorFilesFs, dir: string, id: string, history: number): Promise<void> {
  const base = errorFilePath(dir, id);
  if (history === 0) return;
  let st: Awaited<ReturnType<ErrorFilesFs['lstat']>>;
  try {
    st = await fs.lstat(base);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return;
    throw error;
  }
  for (let i = history - 1; i >= 1; i--) await renameIfExists(fs, errorFilePath(dir, id, i), errorFilePath(dir, id, i + 1));
  if (st.isSymbolicLink()) {
    // Planted, not ours: drop the link itself, never what it points to.
    await removeIfExists(fs, base);
    return;
  }
  if (!st.isFile()) return;
  const first = errorFilePath(dir, id, 1);
  await removeIfExists(fs, first);
  try {
    await fs.link(base, first);
  } catch {
    // No hard links here (some network and FUSE file systems): a rename leaves a short gap instead.
    await renameIfExists(fs, base, first);
  }
}
