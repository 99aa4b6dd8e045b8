import { CODES, sandboxError } from '../errors.js';

/**
 * The one service-id rule of every pactown package: 1 to 64 characters from
 * `[A-Za-z0-9._-]`, the first a letter or digit, never two dots in a row.
 * Ids become folder and file names, so the rule is also what keeps them path-safe.
 */
export const SERVICE_ID_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** True for ids that follow {@link SERVICE_ID_PATTERN}. */
export function isValidServiceId(id: unknown): id is string {
  return typeof id === 'string' && SERVICE_ID_PATTERN.test(id);
}

/**
 * Checks a service id before it goes anywhere near a path. Ids are never
 * cleaned up into something else: a bad one is refused outright.
 */
export function assertServiceId(id: unknown, option = 'serviceId'): string {
  if (!isValidServiceId(id)) {
    throw sandboxError(
      TypeError,
      CODES.INVALID_ID,
      `${option} must be 1-64 letters, digits, '.', '_' or '-', start with a letter or digit and hold no '..', got ${describe(id)}`,
    );
  }
  return id;
}

/** The sandbox folder name of a service, as the original names it. */
export function sandboxName(id: string): string {
  return `service_${id}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  return value === null ? 'null' : typeof value;
}
