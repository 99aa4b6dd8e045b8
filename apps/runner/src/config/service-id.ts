/**
 * The one service-id rule of the workspace: 1 to 64 characters from
 * `[A-Za-z0-9._-]`, the first a letter or digit, never two dots in a row.
 * Safe as a file-name part, never a path. sandbox and error-files declare the
 * same rule; a property test checks that all three accept the same ids.
 * User ids follow it too (they name `user_{id}.log`).
 */
export const SERVICE_ID_PATTERN = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** True when `id` is a valid service (or user) id. */
export function isValidServiceId(id: unknown): id is string {
  return typeof id === 'string' && SERVICE_ID_PATTERN.test(id);
}
