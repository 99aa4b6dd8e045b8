/** Where error files live and what they are called. */
import os from 'node:os';
import path from 'node:path';
import { CODES, codedTypeError } from './errors.js';

/**
 * The service id rule every @pactown package shares: 1 to 64 characters from
 * `A-Z a-z 0-9 . _ -`, the first a letter or digit, never two dots in a row.
 * An id that passes can never name a path outside the log folder.
 */
export const SERVICE_ID_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `$PACTOWN_LOG_DIR`, or `{os tmp}/pactown-logs`. Read at call time. */
export function defaultLogDir(): string {
  const fromEnv = process.env.PACTOWN_LOG_DIR;
  return fromEnv ? fromEnv : path.join(os.tmpdir(), 'pactown-logs');
}

/** Whether `id` follows {@link SERVICE_ID_PATTERN}. */
export function isValidServiceId(id: unknown): id is string {
  return typeof id === 'string' && SERVICE_ID_PATTERN.test(id);
}

/** Throws a `TypeError` with code `PACTOWN_ERRORS_INVALID_ID` for an id that breaks the rule. */
export function assertServiceId(id: unknown): asserts id is string {
  if (!isValidServiceId(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id) : String(id);
    throw codedTypeError(
      CODES.INVALID_ID,
      `Refusing service id ${shown}: use 1-64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, without "..".`,
    );
  }
}

/** The file name of a service's error file: `service_{id}_error.log`, or `.N` for history entry N. */
export function errorFileName(id: string, index = 0): string {
  assertServiceId(id);
  if (!Number.isInteger(index) || index < 0)
    throw codedTypeError(CODES.INVALID_OPTION, `option 'index' must be a non-negative integer, got ${index}`);
  return index === 0 ? `service_${id}_error.log` : `service_${id}_error.log.${index}`;
}

/** `{dir}/service_{id}_error.log` (or `.N`); throws `TypeError` for an unsafe id. */
export function errorFilePath(dir: string, id: string, index = 0): string {
  return path.join(dir, errorFileName(id, index));
}

const FILE_NAME = /^service_(.+)_error\.log(?:\.([1-9]\d*))?$/;

/** Reads a file name back into service id and history index, or `undefined`. */
export function parseErrorFileName(name: string): { serviceId: string; index: number } | undefined {
  const m = FILE_NAME.exec(name);
  if (!m || !isValidServiceId(m[1])) return undefined;
  return { serviceId: m[1]!, index: m[2] === undefined ? 0 : Number(m[2]) };
}
