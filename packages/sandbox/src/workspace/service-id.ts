const SERVICE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/;

/** True for ids made of letters, digits and `._-`, 1-64 long, not starting with a dot. */
export function isValidServiceId(id: unknown): id is string {
  return typeof id === 'string' && SERVICE_ID.test(id);
}

/**
 * Checks a service id before it goes anywhere near a path. Ids are never
 * cleaned up into something else: a bad one is refused outright.
 */
export function assertServiceId(id: unknown, option = 'serviceId'): string {
  if (!isValidServiceId(id)) {
    throw new TypeError(
      `[@pactown/sandbox] ${option} must be 1-64 letters, digits, '.', '_' or '-' and not start with '.', got ${describe(id)}`,
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
