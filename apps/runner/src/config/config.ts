import path from 'node:path';
import { parseApiTokens } from '../http/auth.js';
import { displayUrl, splitCredentials } from '../logging/urls.js';

/** Everything the runner reads from the environment, normalised once. */
export interface RunnerConfig {
  /** Address the HTTP server listens on. @default '127.0.0.1' */
  host: string;
  /** Port of the HTTP server; 0 picks a free one. @default 8800 */
  port: number;
  /** Root folder for sandboxes and logs. @default './.pactown' */
  home: string;
  /** @default '<home>/sandboxes' */
  sandboxesDir: string;
  /** Folder for sandbox.log, error files, user logs and the anomaly log. @default '<home>/logs' */
  logDir: string;
  /** Bearer token → user id; `null` when no token is configured (open mode). */
  apiTokens: ReadonlyMap<string, string> | null;
  /** Token bucket refill, requests per minute per user. @default 60 */
  rateLimitPerMinute: number;
  /** Token bucket capacity per user. @default 10 */
  rateLimitBurst: number;
  /** Running services allowed per user. @default 5 */
  maxServicesPerUser: number;
  /** Level of the `pactown` logger. @default 'INFO' */
  logLevel: string;
  /** Level of the `pactown.sandbox` logger. @default 'DEBUG' */
  sandboxLogLevel: string;
  /** Lowest level shown on the console (files and Loki get everything the loggers pass). @default 'DEBUG' */
  consoleLevel: string;
  /** Console output: pretty on a TTY, JSON otherwise, unless forced. @default 'auto' */
  logFormat: 'auto' | 'pretty' | 'json';
  /** Lowest level that reaches the REST `logs` array and the page. @default 'INFO' */
  uiLogLevel: string;
  /** How long a run waits for its service to answer. @default 30000 */
  runTimeoutMs: number;
  /** Loki push target, without credentials (those of `LOKI_URL` move to basic auth); shipping is off when unset. */
  lokiUrl: string | null;
  /** `X-Scope-OrgID` for Loki. */
  lokiTenant: string | null;
  lokiUsername: string | null;
  lokiPassword: string | null;
  lokiBearerToken: string | null;
  /** Value of the `service` stream label. @default 'api' */
  lokiServiceLabel: string;
}

const DEFAULTS = {
  host: '127.0.0.1',
  port: 8800,
  rateLimitPerMinute: 60,
  rateLimitBurst: 10,
  maxServicesPerUser: 5,
  logLevel: 'INFO',
  sandboxLogLevel: 'DEBUG',
  logFormat: 'auto',
  consoleLevel: 'DEBUG',
  uiLogLevel: 'INFO',
  runTimeoutMs: 30_000,
  lokiServiceLabel: 'api',
} as const;

const LEVEL_NAMES = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'CRITICAL', 'FATAL', 'SILENT']);

function fail(option: string, value: unknown, expected: string): never {
  throw new TypeError(`[@pactown/example-runner] ${option} must be ${expected}, got ${JSON.stringify(value)}`);
}

function integer(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(option, raw, `an integer from ${min} to ${max}`);
  return n;
}

function level(option: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined || raw === '') return fallback;
  const name = raw.trim().toUpperCase();
  if (!LEVEL_NAMES.has(name) && !/^\d+$/.test(name)) fail(option, raw, 'a level name such as DEBUG or INFO');
  return name;
}

function optional(raw: string | undefined): string | null {
  return raw === undefined || raw.trim() === '' ? null : raw.trim();
}

/**
 * Reads the runner's settings from `env` (and explicit overrides, which win).
 * Relative folders resolve against `cwd`.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<RunnerConfig> = {},
  cwd: string = process.cwd(),
): RunnerConfig {
  const home = path.resolve(cwd, overrides.home ?? env.PACTOWN_HOME ?? '.pactown');
  const logFormat = (env.PACTOWN_LOG_FORMAT ?? DEFAULTS.logFormat).toLowerCase();
  if (logFormat !== 'auto' && logFormat !== 'pretty' && logFormat !== 'json') {
    fail('PACTOWN_LOG_FORMAT', env.PACTOWN_LOG_FORMAT, "'auto', 'pretty' or 'json'");
  }
  // Credentials in LOKI_URL become basic auth (unless set on their own): the URL kept holds none.
  const rawLokiUrl = optional(env.LOKI_URL);
  let lokiUrl: string | null = null;
  let urlUser: string | null = null;
  let urlPassword: string | null = null;
  if (rawLokiUrl !== null) {
    if (!/^https?:\/\//.test(rawLokiUrl)) fail('LOKI_URL', displayUrl(rawLokiUrl), 'an http(s) URL');
    try {
      ({ url: lokiUrl, username: urlUser, password: urlPassword } = splitCredentials(rawLokiUrl));
    } catch {
      fail('LOKI_URL', displayUrl(rawLokiUrl), 'an http(s) URL');
    }
  }
  const explicitAuth = optional(env.LOKI_USERNAME) !== null || optional(env.LOKI_PASSWORD) !== null || optional(env.LOKI_BEARER_TOKEN) !== null;
  const useUrlAuth = !explicitAuth && urlUser !== null && urlPassword !== null;
  const serviceLabel = env.LOKI_SERVICE_LABEL ?? DEFAULTS.lokiServiceLabel;
  if (!/^[\w.:-]{1,128}$/.test(serviceLabel)) fail('LOKI_SERVICE_LABEL', serviceLabel, 'a short label value');

  const config: RunnerConfig = Object.assign(Object.create(null), {
    host: env.PACTOWN_HOST?.trim() || DEFAULTS.host,
    port: integer('PACTOWN_PORT', env.PACTOWN_PORT, DEFAULTS.port, 0, 65535),
    home,
    sandboxesDir: path.resolve(cwd, env.PACTOWN_SANDBOXES_DIR ?? path.join(home, 'sandboxes')),
    logDir: path.resolve(cwd, env.PACTOWN_LOG_DIR ?? path.join(home, 'logs')),
    apiTokens: env.PACTOWN_API_TOKENS ? parseApiTokens(env.PACTOWN_API_TOKENS) : null,
    rateLimitPerMinute: integer('PACTOWN_RATE_LIMIT', env.PACTOWN_RATE_LIMIT, DEFAULTS.rateLimitPerMinute, 1, 1e6),
    rateLimitBurst: integer('PACTOWN_RATE_BURST', env.PACTOWN_RATE_BURST, DEFAULTS.rateLimitBurst, 1, 1e6),
    maxServicesPerUser: integer('PACTOWN_MAX_SERVICES', env.PACTOWN_MAX_SERVICES, DEFAULTS.maxServicesPerUser, 1, 1e4),
    logLevel: level('PACTOWN_LOG_LEVEL', env.PACTOWN_LOG_LEVEL, DEFAULTS.logLevel),
    sandboxLogLevel: level('PACTOWN_SANDBOX_LOG_LEVEL', env.PACTOWN_SANDBOX_LOG_LEVEL, DEFAULTS.sandboxLogLevel),
    consoleLevel: level('PACTOWN_CONSOLE_LEVEL', env.PACTOWN_CONSOLE_LEVEL, DEFAULTS.consoleLevel),
    logFormat,
    uiLogLevel: level('PACTOWN_UI_LOG_LEVEL', env.PACTOWN_UI_LOG_LEVEL, DEFAULTS.uiLogLevel),
    runTimeoutMs: integer('PACTOWN_RUN_TIMEOUT_MS', env.PACTOWN_RUN_TIMEOUT_MS, DEFAULTS.runTimeoutMs, 100, 600_000),
    lokiUrl,
    lokiTenant: optional(env.LOKI_TENANT),
    lokiUsername: useUrlAuth ? urlUser : optional(env.LOKI_USERNAME),
    lokiPassword: useUrlAuth ? urlPassword : optional(env.LOKI_PASSWORD),
    lokiBearerToken: optional(env.LOKI_BEARER_TOKEN),
    lokiServiceLabel: serviceLabel,
  });
  return Object.assign(config, overrides, { home });
}
