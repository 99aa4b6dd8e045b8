/** Where error files live and what they are called. */
import os from 'node:os';
import path from 'node:path';

const SERVICE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `$PACTOWN_LOG_DIR`, or `{os tmp}/pactown-logs`. Read at call time. */
export function defaultLogDir(): string {
  const fromEnv = process.env.PACTOWN_LOG_DIR;
  return fromEnv ? fromEnv : path.join(os.tmpdir(), 'pactown-logs');
}

/** Whether `id` is a service id this package writes files for (no path separators, no `..`, at most 128 characters). */
export function isValidServiceId(id: unknown): id is string {
  return typeof id === 'string' && SERVICE_ID.test(id) && !id.includes('..');
}

/** Throws a `TypeError` for an id that could escape the folder. */
export function assertServiceId(id: unknown): asserts id is string {
  if (!isValidServiceId(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id) : String(id);
    throw new TypeError(
      `[@pactown/error-files] Refusing service id ${shown}: use 1-128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit, without "..".`,
    );
  }
}

/** The file name of a service's error file: `service_{id}_error.log`, or `.N` for history entry N. */
export function errorFileName(id: string, index = 0): string {
  assertServiceId(id);
  if (!Number.isInteger(index) || index < 0) throw new TypeError(`[@pactown/error-files] index must be a non-negative integer, got ${index}.`);
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
