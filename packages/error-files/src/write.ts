/**
 * Writing an error file: prepare the text, write a temp file next to the
 * target, rotate history under the service's lock, rename into place.
 */
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { enforceFolderCap } from './clean.js';
import { CODES, ErrorFileError, codeOf, describeCause } from './errors.js';
import { type ErrorFilesFs, ensureDir, nodeFs, quietly, removeIfExists, syncDir, writeTemp } from './fs.js';
import { serialize } from './format.js';
import { rotateHistory } from './history.js';
import { withLock } from './lock.js';
import { type WriteErrorFileOptions, normalizeOptions } from './options.js';
import { assertServiceId, errorFilePath } from './paths.js';
import { prepareNormalized } from './prepare.js';
import type { DiedReport } from './types.js';

/** Deletes a dropped history file off the caller's path (in the thread pool with the default file system). */
function discard(fs: ErrorFilesFs, file: string): void {
  if (fs === nodeFs) unlink(file).catch(() => {});
  else quietly(() => fs.unlinkSync(file));
}

// Folders already created or checked by this process (with the default file system).
const checkedDirs = new Set<string>();

/**
 * Writes the error file for a died report and resolves with its path
 * (`{logDir}/service_{id}_error.log`). Never throws synchronously: every
 * failure (bad options, unsafe id, full disk, missing permission) is a
 * rejection naming the path and the cause, with no temp file left behind.
 */
export async function writeErrorFile(report: DiedReport, options: WriteErrorFileOptions = {}): Promise<string> {
  const o = normalizeOptions(options);
  const id = (report as Partial<DiedReport> | null | undefined)?.serviceId;
  assertServiceId(id);
  const fs = o.fs ?? nodeFs;
  const dir = path.resolve(o.logDir);
  const target = errorFilePath(dir, id);
  const text = serialize(prepareNormalized(report, o));
  let temp: string;
  const cache = fs === nodeFs;
  if (cache && checkedDirs.has(dir)) {
    try {
      temp = writeTemp(fs, target, text, o.durable);
    } catch (error) {
      // The folder went away since it was checked: check (and create) it again, once.
      if (codeOf(error) !== 'ENOENT') throw error;
      checkedDirs.delete(dir);
      ensureDir(fs, dir);
      temp = writeTemp(fs, target, text, o.durable);
    }
  } else {
    ensureDir(fs, dir);
    temp = writeTemp(fs, target, text, o.durable);
  }
  if (cache) {
    if (checkedDirs.size > 64) checkedDirs.clear();
    checkedDirs.add(dir);
  }
  try {
    const discarded = await withLock(fs, path.join(dir, `.service_${id}_error.log.lock`), temp, o.lockTimeoutMs, () => {
      const rotation = rotateHistory(fs, dir, id, o.history);
      try {
        fs.renameSync(temp, target);
      } catch (error) {
        // The new file is not in place: put the current file and history back as they were.
        rotation.undo();
        throw error;
      }
      return rotation.discarded;
    });
    for (const file of discarded) discard(fs, file);
  } catch (error) {
    quietly(() => removeIfExists(fs, temp));
    throw new ErrorFileError(`Cannot write error file ${target}: ${describeCause(error)}.`, {
      code: CODES.WRITE_FAILED,
      path: target,
      cause: error,
    });
  }
  if (o.durable) syncDir(fs, dir);
  if (o.maxFolderBytes !== undefined) quietly(() => enforceFolderCap(fs, dir, o.maxFolderBytes!, target));
  return target;
}
