import path from 'node:path';
import { defineOptions, didYouMean, optionError } from '@pactown/options';
import { parseApiTokens } from '../http/auth.js';
import { displayUrl, splitCredentials } from '../logging/urls.js';

/** Everything the runner reads from the environment, normalized once. */
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
  /** Size at which `sandbox.log` rolls over. @default 10485760 */
  sandboxLogMaxBytes: number;
  /** Rolled-over `sandbox.log.N` files kept. @default 5 */
  sandboxLogBackups: number;
  /** Lowest level that reaches the REST `logs` array and the page. @default 'INFO' */
  uiLogLevel: string;
  /** How long a run waits for its service to answer. @default 30000 */
  runTimeoutMs: number;
  /** Lines of output a REST answer carries (`logs`: the first and the last ones, with a count of those omitted). @default 400 */
  answerMaxLines: number;
  /** Bytes of output a REST answer carries, for `logs` and for `stderr_output` each. @default 262144 */
  answerMaxBytes: number;
  /** Bytes one log stream (SSE) may hold unsent before its oldest lines are dropped (and a `gap` event says how many). @default 1048576 */
  sseBufferBytes: number;
  /** Lines of each service's live history, replayed to a new stream and to one resuming with `Last-Event-ID`. @default 1000 */
  sseHistoryLines: number;
  /** Bytes of each service's live history (the lines' text); the oldest lines go first past either bound. @default 1048576 */
  sseHistoryBytes: number;
  /** Open log streams per user; past it `429`. @default 10 */
  sseMaxPerUser: number;
  /** Open log streams in all; past it `429`. @default 200 */
  sseMaxTotal: number;
  /** Failed-auth anomaly lines logged per minute; the rest are counted and summarised once a minute. @default 10 */
  authFailureLinesPerMinute: number;
  /**
   * How services are contained: `'namespaces'` (bubblewrap), `'none'` (trusted
   * code only), or null for sandbox's default (namespaces where bwrap works).
   * With API tokens configured the app refuses to start without namespaces
   * unless this is explicitly `'none'`. @default null
   */
  isolation: 'namespaces' | 'none' | null;
  /** The services' network under isolation: the host's (reachable on their port) or none; null for sandbox's default (`host`). @default null */
  network: 'host' | 'none' | null;
  /** Resource limits of every service; a key left out keeps sandbox's default, `null` lifts that limit. @default {} */
  limits: ServiceLimits;
  /** Restart policy of a run whose `POST /run` names none. @default 'no' */
  restart: 'no' | 'on-failure' | 'always';
  /** How long shutdown waits for Loki to accept the lines still queued; what is left is reported on stderr. @default 15000 */
  lokiDrainMs: number;
  /** Longest a graceful shutdown (SIGTERM/SIGINT) may take before the process exits anyway. @default 30000 */
  shutdownGraceMs: number;
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

/** Resource limits the app passes to `@pactown/sandbox` (its `ResourceLimits`); `null` lifts a limit. */
export interface ServiceLimits {
  memoryBytes?: number | null;
  processes?: number | null;
  openFiles?: number | null;
  fileSizeBytes?: number | null;
  cpuSeconds?: number | null;
  tmpBytes?: number | null;
}

const PKG = '@pactown/example-runner';
const LEVEL_NAMES = new Set(['TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'CRITICAL', 'FATAL', 'SILENT']);

// Every setting is an environment variable, so every rule takes the text and maps it.
function integer(min: number, max: number, fallback: number, doc: string) {
  return {
    kind: 'string',
    default: fallback,
    doc,
    want: `an integer from ${min} to ${max}`,
    check: (v: string) =>
      /^\s*-?\d+\s*$/.test(v) && Number(v) >= min && Number(v) <= max ? undefined : `an integer from ${min} to ${max}`,
    map: (v: string) => Number(v),
  } as const;
}
function level(fallback: string, doc: string) {
  return {
    kind: 'string',
    default: fallback,
    doc,
    want: 'a level name (`DEBUG`, `INFO`, …) or number',
    check: (v: string) =>
      LEVEL_NAMES.has(v.trim().toUpperCase()) || /^\d+$/.test(v.trim())
        ? undefined
        : 'a level name such as DEBUG or INFO',
    map: (v: string) => v.trim().toUpperCase(),
  } as const;
}
const text = (doc: string, fallback?: string) =>
  ({
    kind: 'string',
    doc,
    ...(fallback !== undefined ? { default: fallback } : {}),
    map: (v: string) => v.trim(),
  }) as const;
/** A resource limit: an integer, or `unlimited` to lift sandbox's default. */
function limit(min: number, doc: string) {
  return {
    kind: 'string',
    doc: `${doc}; \`unlimited\` lifts it`,
    defaultText: "unset (sandbox's default)",
    want: `an integer from ${min}, or \`unlimited\``,
    check: (v: string) =>
      v.trim().toLowerCase() === 'unlimited' ||
      (/^\s*\d+\s*$/.test(v) && Number(v) >= min && Number.isSafeInteger(Number(v)))
        ? undefined
        : `an integer from ${min} or 'unlimited'`,
    map: (v: string) => (v.trim().toLowerCase() === 'unlimited' ? null : Number(v)),
  } as const;
}
function choice<const T extends string>(values: readonly T[], doc: string, fallback?: T) {
  return {
    kind: 'string',
    doc,
    ...(fallback !== undefined ? { default: fallback } : { defaultText: "unset (sandbox's default)" }),
    want: values
      .map((v) => `\`${v}\``)
      .join(', ')
      .replace(/, ([^,]*)$/, ' or $1'),
    check: (v: string) =>
      (values as readonly string[]).includes(v.trim().toLowerCase())
        ? undefined
        : values
            .map((x) => `'${x}'`)
            .join(', ')
            .replace(/, ([^,]*)$/, ' or $1'),
    map: (v: string) => v.trim().toLowerCase() as T,
  } as const;
}
// Values that hold secrets: a bad one is named, never shown.
const secret = (doc: string) => ({ kind: 'string', doc, defaultText: 'unset', map: (v: string) => v.trim() }) as const;

/** The runner's settings, one row per environment variable: kind, default and meaning. */
export const RUNNER_OPTIONS = defineOptions({
  pkg: PKG,
  prefix: 'PACTOWN_RUNNER',
  options: {
    PACTOWN_HOST: text('listen address', '127.0.0.1'),
    PACTOWN_PORT: integer(0, 65535, 8800, 'listen port (`0` picks a free one)'),
    PACTOWN_HOME: text('root of `sandboxes/` and `logs/`', './.pactown'),
    PACTOWN_SANDBOXES_DIR: { ...text('sandboxes'), defaultText: '`$PACTOWN_HOME/sandboxes`' },
    PACTOWN_LOG_DIR: {
      ...text('`sandbox.log`, error files, `user_{id}.log`, `anomalies.jsonl`'),
      defaultText: '`$PACTOWN_HOME/logs`',
    },
    PACTOWN_API_TOKENS: {
      ...secret('`user:token,user:token` (tokens of 8+ characters)'),
      defaultText: 'unset (open)',
      map: (v: string) => parseApiTokens(v),
    },
    PACTOWN_RATE_LIMIT: integer(1, 1e6, 60, 'token bucket per user: refill per minute'),
    PACTOWN_RATE_BURST: integer(1, 1e6, 10, 'token bucket per user: capacity'),
    PACTOWN_MAX_SERVICES: integer(1, 1e4, 5, 'running services per user'),
    PACTOWN_LOG_LEVEL: level('INFO', 'level of the `pactown` logger'),
    PACTOWN_SANDBOX_LOG_LEVEL: level('DEBUG', 'level of `pactown.sandbox`'),
    PACTOWN_LOG_LEVELS: {
      kind: 'string',
      doc: 'any other logger, `pactown.security=DEBUG,pactown.http=DEBUG`',
      defaultText: 'unset',
    },
    PACTOWN_CONSOLE_LEVEL: level('DEBUG', 'lowest level on the console (`CRITICAL` in the demo)'),
    PACTOWN_LOG_FORMAT: {
      kind: 'string',
      default: 'auto',
      doc: 'console: `pretty` on a TTY, `json` otherwise',
      want: '`auto`, `pretty` or `json`',
      check: (v: string) =>
        ['auto', 'pretty', 'json'].includes(v.trim().toLowerCase()) ? undefined : "'auto', 'pretty' or 'json'",
      map: (v: string) => v.trim().toLowerCase(),
    },
    PACTOWN_SANDBOX_LOG_MAX_BYTES: integer(
      1024 * 1024,
      64 * 1024 * 1024 * 1024,
      10 * 1024 * 1024,
      '`sandbox.log` rolls over at this size',
    ),
    PACTOWN_SANDBOX_LOG_BACKUPS: integer(1, 1000, 5, 'rolled-over `sandbox.log.N` files kept (the oldest goes first)'),
    PACTOWN_UI_LOG_LEVEL: level('INFO', 'lowest level in REST `logs`, NDJSON and SSE'),
    PACTOWN_RUN_TIMEOUT_MS: integer(100, 600_000, 30_000, 'readiness timeout of a run'),
    PACTOWN_ANSWER_MAX_LINES: integer(
      10,
      1e6,
      400,
      'lines of output in a REST answer: the first and last halves, with `… N lines omitted …` between',
    ),
    PACTOWN_ANSWER_MAX_BYTES: integer(
      4096,
      64 * 1024 * 1024,
      256 * 1024,
      'bytes of output in a REST answer, for `logs` and `stderr_output` each',
    ),
    PACTOWN_SSE_BUFFER_BYTES: integer(
      16 * 1024,
      256 * 1024 * 1024,
      1024 * 1024,
      'unsent bytes one log stream may hold; past it the oldest lines go and an `event: gap` says how many',
    ),
    PACTOWN_SSE_HISTORY_LINES: integer(
      10,
      1e6,
      1000,
      'lines of live history kept per service, replayed to a new log stream and to one resuming with `Last-Event-ID`',
    ),
    PACTOWN_SSE_HISTORY_BYTES: integer(
      64 * 1024,
      256 * 1024 * 1024,
      1024 * 1024,
      'bytes of that history per service; past either bound the oldest lines go (a stream resuming before them gets an `event: gap`)',
    ),
    PACTOWN_SSE_MAX_PER_USER: integer(1, 1e4, 10, 'open log streams per user (then `429`)'),
    PACTOWN_SSE_MAX_CONNECTIONS: integer(1, 1e5, 200, 'open log streams in all (then `429`)'),
    PACTOWN_AUTH_FAILURE_LINES: integer(
      1,
      1e5,
      10,
      'failed-auth anomaly lines logged per minute; the rest are counted and summarised',
    ),
    PACTOWN_ISOLATION: {
      kind: 'string',
      doc: '`namespaces` (bubblewrap) or `none` (trusted code only); unset: namespaces where bwrap works, else `none` with a warning. With `PACTOWN_API_TOKENS` set, the app refuses to start without namespaces unless this is `none`',
      defaultText: 'unset (auto)',
      want: '`namespaces` or `none`',
      check: (v: string) =>
        ['namespaces', 'none'].includes(v.trim().toLowerCase()) ? undefined : "'namespaces' or 'none'",
      map: (v: string) => v.trim().toLowerCase(),
    },
    PACTOWN_NETWORK: choice(
      ['host', 'none'] as const,
      "the services' network under namespaces: `host` (reachable on their port) or `none` (loopback only, for jobs)",
    ),
    PACTOWN_LIMIT_MEMORY_BYTES: limit(
      16 * 1024 * 1024,
      "a service's address space in bytes (sandbox's `limits.memoryBytes`)",
    ),
    PACTOWN_LIMIT_PROCESSES: limit(1, "processes and threads of a service's uid (`limits.processes`)"),
    PACTOWN_LIMIT_OPEN_FILES: limit(16, 'open files per process (`limits.openFiles`)'),
    PACTOWN_LIMIT_FILE_SIZE_BYTES: limit(1, 'largest file a service writes, in bytes (`limits.fileSizeBytes`)'),
    PACTOWN_LIMIT_CPU_SECONDS: limit(1, 'CPU seconds per process (`limits.cpuSeconds`)'),
    PACTOWN_LIMIT_TMP_BYTES: limit(
      1024 * 1024,
      "size of a service's private `/tmp` under namespaces (`limits.tmpBytes`)",
    ),
    PACTOWN_RESTART: choice(
      ['no', 'on-failure', 'always'] as const,
      'restart policy of a run whose `POST /run` names none: `no`, `on-failure` or `always`',
      'no',
    ),
    PACTOWN_LOKI_DRAIN_MS: integer(
      0,
      600_000,
      15_000,
      'at shutdown, how long the app waits for Loki to accept the lines still queued; what is left is said on stderr',
    ),
    PACTOWN_SHUTDOWN_GRACE_MS: integer(
      1000,
      1_200_000,
      30_000,
      'longest a graceful shutdown may take (stopping the services, then flushing the logs) before the process exits anyway',
    ),
    LOKI_URL: {
      kind: 'string',
      doc: 'Loki base URL; `https://user:password@host` is sent as basic auth (unless `LOKI_USERNAME`/`LOKI_PASSWORD` or `LOKI_BEARER_TOKEN` are set)',
      defaultText: 'unset (no shipping; the demo starts a receiver)',
      map: (v: string) => {
        const url = v.trim();
        // The URL may hold credentials: the message shows it without them.
        const bad = () => RUNNER_OPTIONS.invalid('LOKI_URL', displayUrl(url), 'an http(s) URL');
        if (!/^https?:\/\//.test(url)) throw bad();
        try {
          return splitCredentials(url);
        } catch {
          throw bad();
        }
      },
    },
    LOKI_TENANT: { ...text('`X-Scope-OrgID`'), defaultText: 'unset' },
    LOKI_USERNAME: secret('basic auth'),
    LOKI_PASSWORD: secret('basic auth'),
    LOKI_BEARER_TOKEN: secret('bearer auth'),
    LOKI_SERVICE_LABEL: {
      kind: 'string',
      default: 'api',
      doc: "the `service` stream label the seed's queries select",
      want: 'a label value of 1-128 characters from `[A-Za-z0-9_.:-]`',
      check: (v: string) => (/^[\w.:-]{1,128}$/.test(v) ? undefined : 'a short label value'),
    },
  },
});

const CONFIG_KEYS = [
  'host',
  'port',
  'home',
  'sandboxesDir',
  'logDir',
  'apiTokens',
  'rateLimitPerMinute',
  'rateLimitBurst',
  'maxServicesPerUser',
  'logLevel',
  'sandboxLogLevel',
  'consoleLevel',
  'logFormat',
  'sandboxLogMaxBytes',
  'sandboxLogBackups',
  'uiLogLevel',
  'runTimeoutMs',
  'answerMaxLines',
  'answerMaxBytes',
  'sseBufferBytes',
  'sseHistoryLines',
  'sseHistoryBytes',
  'sseMaxPerUser',
  'sseMaxTotal',
  'authFailureLinesPerMinute',
  'isolation',
  'network',
  'limits',
  'restart',
  'lokiDrainMs',
  'shutdownGraceMs',
  'lokiUrl',
  'lokiTenant',
  'lokiUsername',
  'lokiPassword',
  'lokiBearerToken',
  'lokiServiceLabel',
] as const satisfies ReadonlyArray<keyof RunnerConfig>;

const LIMIT_VARIABLES = {
  memoryBytes: 'PACTOWN_LIMIT_MEMORY_BYTES',
  processes: 'PACTOWN_LIMIT_PROCESSES',
  openFiles: 'PACTOWN_LIMIT_OPEN_FILES',
  fileSizeBytes: 'PACTOWN_LIMIT_FILE_SIZE_BYTES',
  cpuSeconds: 'PACTOWN_LIMIT_CPU_SECONDS',
  tmpBytes: 'PACTOWN_LIMIT_TMP_BYTES',
} as const satisfies Record<keyof ServiceLimits, string>;

/** The limits set in the environment only: the others keep sandbox's defaults. */
function limitsOf(o: Record<string, unknown>): ServiceLimits {
  const limits: ServiceLimits = {};
  for (const [key, name] of Object.entries(LIMIT_VARIABLES) as Array<[keyof ServiceLimits, string]>)
    if (o[name] !== undefined) limits[key] = o[name] as number | null;
  return limits;
}

/**
 * The variables of `env` that the table reads: the known ones (an empty value
 * counts as unset), and a `PACTOWN_`/`LOKI_` name one typo away from a known
 * one, so that `PACTOWN_PROT=9000` fails naming `PACTOWN_PORT` instead of being
 * ignored. Other variables belong to other programs.
 */
function settingsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const input: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '') continue;
    if (RUNNER_OPTIONS.names.includes(name)) input[name] = value;
    else if (/^(PACTOWN|LOKI)_/.test(name) && didYouMean(name, RUNNER_OPTIONS.names)) input[name] = value;
  }
  return input;
}

/**
 * Reads the runner's settings from `env` (and explicit overrides, which win).
 * Relative folders resolve against `cwd`. A bad value is a `TypeError` naming
 * the variable (code `PACTOWN_RUNNER_INVALID_OPTION`), a misspelt one names
 * the nearest (`PACTOWN_RUNNER_UNKNOWN_OPTION`).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<RunnerConfig> = {},
  cwd: string = process.cwd(),
): RunnerConfig {
  for (const key of Object.keys(overrides)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      const near = didYouMean(key, CONFIG_KEYS);
      throw Object.assign(
        optionError(
          PKG,
          'PACTOWN_RUNNER_UNKNOWN_OPTION',
          `unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}`,
        ),
        { option: key },
      );
    }
  }
  const o = RUNNER_OPTIONS.parse(settingsOf(env), 'the environment');
  const home = path.resolve(cwd, overrides.home ?? o.PACTOWN_HOME);
  const loki = (o.LOKI_URL ?? null) as { url: string; username: string | null; password: string | null } | null;
  const explicitAuth =
    o.LOKI_USERNAME !== undefined || o.LOKI_PASSWORD !== undefined || o.LOKI_BEARER_TOKEN !== undefined;
  // Credentials in LOKI_URL become basic auth (unless set on their own): the URL kept holds none.
  const useUrlAuth = !explicitAuth && loki !== null && loki.username !== null && loki.password !== null;

  const config: RunnerConfig = Object.assign(Object.create(null), {
    host: o.PACTOWN_HOST,
    port: o.PACTOWN_PORT,
    home,
    sandboxesDir: path.resolve(cwd, o.PACTOWN_SANDBOXES_DIR ?? path.join(home, 'sandboxes')),
    logDir: path.resolve(cwd, o.PACTOWN_LOG_DIR ?? path.join(home, 'logs')),
    apiTokens: o.PACTOWN_API_TOKENS ?? null,
    rateLimitPerMinute: o.PACTOWN_RATE_LIMIT,
    rateLimitBurst: o.PACTOWN_RATE_BURST,
    maxServicesPerUser: o.PACTOWN_MAX_SERVICES,
    logLevel: o.PACTOWN_LOG_LEVEL,
    sandboxLogLevel: o.PACTOWN_SANDBOX_LOG_LEVEL,
    consoleLevel: o.PACTOWN_CONSOLE_LEVEL,
    logFormat: o.PACTOWN_LOG_FORMAT,
    sandboxLogMaxBytes: o.PACTOWN_SANDBOX_LOG_MAX_BYTES,
    sandboxLogBackups: o.PACTOWN_SANDBOX_LOG_BACKUPS,
    uiLogLevel: o.PACTOWN_UI_LOG_LEVEL,
    runTimeoutMs: o.PACTOWN_RUN_TIMEOUT_MS,
    answerMaxLines: o.PACTOWN_ANSWER_MAX_LINES,
    answerMaxBytes: o.PACTOWN_ANSWER_MAX_BYTES,
    sseBufferBytes: o.PACTOWN_SSE_BUFFER_BYTES,
    sseHistoryLines: o.PACTOWN_SSE_HISTORY_LINES,
    sseHistoryBytes: o.PACTOWN_SSE_HISTORY_BYTES,
    sseMaxPerUser: o.PACTOWN_SSE_MAX_PER_USER,
    sseMaxTotal: o.PACTOWN_SSE_MAX_CONNECTIONS,
    authFailureLinesPerMinute: o.PACTOWN_AUTH_FAILURE_LINES,
    isolation: (o.PACTOWN_ISOLATION ?? null) as RunnerConfig['isolation'],
    network: o.PACTOWN_NETWORK ?? null,
    limits: limitsOf(o),
    restart: o.PACTOWN_RESTART,
    lokiDrainMs: o.PACTOWN_LOKI_DRAIN_MS,
    shutdownGraceMs: o.PACTOWN_SHUTDOWN_GRACE_MS,
    lokiUrl: loki?.url ?? null,
    lokiTenant: o.LOKI_TENANT ?? null,
    lokiUsername: useUrlAuth ? loki!.username : (o.LOKI_USERNAME ?? null),
    lokiPassword: useUrlAuth ? loki!.password : (o.LOKI_PASSWORD ?? null),
    lokiBearerToken: o.LOKI_BEARER_TOKEN ?? null,
    lokiServiceLabel: o.LOKI_SERVICE_LABEL,
  } satisfies RunnerConfig);
  return Object.assign(config, overrides, { home });
}
