/**
 * Writing an error file: prepare the text, write a temp file next to the
 * target, rotate history under the service's lock, rename into place.
 */
import path from 'node:path';
import { enforceFolderCap } from './clean.js';
import { ErrorFileError, describeCause } from './errors.js';
import { ensureDir, nodeFs, quietly, removeIfExists, syncDir, writeTemp } from './fs.js';
import { serialize } from './format.js';
import { rotateHistory } from './history.js';
import { withLock } from './lock.js';
import { type WriteErrorFileOptions, normalizeOptions } from './options.js';
import { assertServiceId, errorFilePath } from './paths.js';
import { prepareNormalized } from './prepare.js';
import type { DiedReport } from './types.js';

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
  ensureDir(fs, dir);
  const temp = writeTemp(fs, target, text, o.durable);
  try {
    await withLock(fs, path.join(dir, `.service_${id}_error.log.lock`), temp, o.lockTimeoutMs, () => {
      rotateHistory(fs, dir, id, o.history);
      fs.renameSync(temp, target);
    });
  } catch (error) {
    quietly(() => removeIfExists(fs, temp));
    throw new ErrorFileError(`Cannot write error file ${target}: ${describeCause(error)}.`, { path: target, cause: error });
  }
  if (o.durable) syncDir(fs, dir);
  if (o.maxFolderBytes !== undefined) quietly(() => enforceFolderCap(fs, dir, o.maxFolderBytes!, target));
  return target;
}
