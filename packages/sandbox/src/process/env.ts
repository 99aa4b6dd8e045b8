/**
 * The service's environment: an allow-list of the parent's variables plus
 * the service's own. Nothing else leaks from the parent (tokens, cloud keys).
 */

/** Parent variables a service gets unless told otherwise. */
export const DEFAULT_ENV_ALLOW_LIST: readonly string[] = Object.freeze([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'TERM',
  'SYSTEMROOT',
]);

export interface BuildEnvOptions {
  /** Parent variables to pass through (exact names, or a prefix ending in `*`). */
  allowList?: readonly string[];
  /** The service's own variables; they win over the parent's. */
  env?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Where the parent's variables come from. @default process.env */
  parentEnv?: Readonly<Record<string, string | undefined>>;
}

function allowed(name: string, allowList: readonly string[]): boolean {
  for (const entry of allowList) {
    if (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry) return true;
  }
  return false;
}

/**
 * Builds a child environment. Python output is made unbuffered
 * (`PYTHONUNBUFFERED=1`) unless the service sets it, so its lines arrive live.
 */
export function buildEnv(options: BuildEnvOptions = {}): Record<string, string> {
  const allowList = options.allowList ?? DEFAULT_ENV_ALLOW_LIST;
  const parent = options.parentEnv ?? process.env;
  const env: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && allowed(name, allowList)) env[name] = value;
  }
  env.PYTHONUNBUFFERED = '1';
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = String(value);
  }
  return { ...env };
}
