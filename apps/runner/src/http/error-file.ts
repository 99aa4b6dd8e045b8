import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import { errorFilePath } from '@pactown/error-files';

/** Error files are bounded by error-files; anything larger is not one. */
const MAX_ERROR_FILE_BYTES = 8 * 1024 * 1024;

export type ErrorFileRead = { ok: true; text: string } | { ok: false; why: 'missing' | 'not_a_file' | 'too_large' };

/**
 * Reads a service's newest error file for the three routes alike (text, JSON,
 * Markdown): opened with `O_NOFOLLOW`, so a symlink put in its place is never
 * followed, and only a regular file is read.
 */
export async function readErrorFileText(logDir: string, serviceId: string): Promise<ErrorFileRead> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(
      errorFilePath(logDir, serviceId),
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return { ok: false, why: 'missing' };
    // ELOOP: the name is a symlink; ENXIO and friends: a socket or FIFO.
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') return { ok: false, why: 'not_a_file' };
    throw error;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, why: 'not_a_file' };
    if (stat.size > MAX_ERROR_FILE_BYTES) return { ok: false, why: 'too_large' };
    return { ok: true, text: await handle.readFile('utf8') };
  } finally {
    await handle.close();
  }
}
