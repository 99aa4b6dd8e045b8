import { isAbsolute, join, resolve } from 'node:path';
import { defineOptions, type OptionKind, type OptionRule } from '@pactown/options';
import { buildEnv } from '../process/env.js';
import { normalizeLimits } from '../process/isolation/limits.js';
import { ISOLATION_MODES } from '../process/isolation/mode.js';
import { type NormalizedRestart, normalizeRestart } from '../process/isolation/restart-policy.js';
import type { IsolationOptions } from '../process/isolation/prepare.js';
import type { UidPool } from '../process/isolation/uid-pool.js';
import type { SandboxLogger } from '../process/types.js';
import { defaultLogger } from './default-loggers.js';
import type { RunOptions, ServiceRunnerOptions } from './types.js';

const LEVELS: Record<string, number> = { DEBUG: 20, INFO: 30, WARNING: 40, WARN: 40, ERROR: 50, CRITICAL: 60 };

/** Parent variables installers need besides the basics: registries, proxies, certificates. */
export const INSTALLER_ENV_ALLOW_LIST: readonly string[] = Object.freeze([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'XDG_*',
  'npm_config_*',
  'NPM_CONFIG_*',
  'PIP_*',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'REQUESTS_CA_BUNDLE',
  'NODE_EXTRA_CA_CERTS',
]);

export interface NormalizedRunnerOptions {
  sandboxesDir: string;
  logger: SandboxLogger;
  fastStartLogger: SandboxLogger;
  cache: boolean;
  cacheDir: string;
  cacheMaxEntries: number;
  cacheMaxAgeMs: number;
  python: string;
  pipArgs: readonly string[];
  npm: string;
  npmArgs: readonly string[];
  installerEnv: NodeJS.ProcessEnv;
  envAllowList: readonly string[] | undefined;
  timeoutMs: number;
  healthPath: string;
  logsLevel: number;
  logsMaxLines: number;
  logsMaxBytes: number;
  stderrOutputMaxLines: number;
  stderrOutputMaxBytes: number;
  killGraceMs: number;
  tailBytes: number;
  removeSandboxOnStop: boolean;
  /** Passed to every service's start, checked there (`isolation`, `network`, `limits`, `readOnlyPaths`, `uidPool`). */
  isolation: IsolationOptions;
  restart: NormalizedRestart;
}

const PKG = { pkg: '@pactown/sandbox', prefix: 'PACTOWN_SANDBOX' } as const;

const LOGGER_METHODS = ['debug', 'info', 'warn', 'error', 'child'] as const;

/** A "must be ..." text when `value` lacks a pino-compatible logger's methods. */
const logger =
  (want: string) =>
  (value: Record<string, unknown>): string | undefined =>
    LOGGER_METHODS.every((m) => typeof value[m] === 'function') ? undefined : want;

const LEVEL_WANT = "'DEBUG', 'INFO', 'WARNING', 'ERROR' or a level number";

function levelNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') return LEVELS[value.toUpperCase()];
  return undefined;
}

const frozenCopy = (list: readonly string[]): readonly string[] => Object.freeze([...list]);
const noStrings = (): readonly string[] => Object.freeze([]);

const healthPath = {
  kind: 'text',
  check: (path: string) => (path.startsWith('/') ? undefined : "a path starting with '/'"),
} as const;

/** The options of `new ServiceRunner(...)`: kind, default and check of each, named once. */
export const RUNNER_OPTIONS = defineOptions({
  ...PKG,
  options: {
    sandboxesDir: { kind: 'text', required: true, want: 'a folder path' },
    logger: {
      kind: 'object',
      want: 'a pino-compatible logger (debug, info, warn, error, child)',
      check: logger('a pino-compatible logger (debug, info, warn, error, child)'),
    },
    fastStartLogger: { kind: 'object', want: 'a pino-compatible logger', check: logger('a pino-compatible logger') },
    cache: { kind: 'boolean', default: true },
    cacheDir: 'text',
    cacheMaxEntries: { kind: 'integer', min: 1, default: 20 },
    cacheMaxAgeMs: { kind: 'integer', min: 0, default: 86_400_000 },
    python: { kind: 'text', default: 'python3' },
    pipArgs: { kind: 'strings', default: noStrings, map: frozenCopy },
    npm: { kind: 'text', default: 'npm' },
    npmArgs: { kind: 'strings', default: noStrings, map: frozenCopy },
    installerEnv: {
      kind: 'object',
      want: 'an object',
      default: () => buildEnv({ allowList: INSTALLER_ENV_ALLOW_LIST }),
      defaultText: 'allow-listed parent variables',
    },
    envAllowList: { kind: 'strings', map: frozenCopy },
    timeoutMs: { kind: 'integer', min: 1, default: 10_000 },
    healthPath: { ...healthPath, default: '/health' },
    logsLevel: {
      kind: 'any',
      want: LEVEL_WANT,
      check: (value: unknown) => (levelNumber(value) === undefined ? LEVEL_WANT : undefined),
      map: (value: unknown) => levelNumber(value),
      defaultText: "`$PACTOWN_UI_LOG_LEVEL` or `'INFO'`",
    },
    logsMaxLines: { kind: 'integer', min: 2, default: 1000 },
    logsMaxBytes: { kind: 'integer', min: 1024, default: 1_048_576 },
    stderrOutputMaxLines: { kind: 'integer', min: 1, default: 500 },
    stderrOutputMaxBytes: { kind: 'integer', min: 1024, default: 65_536 },
    killGraceMs: { kind: 'integer', min: 0, default: 5000 },
    tailBytes: { kind: 'integer', min: 1024, default: 65_536 },
    removeSandboxOnStop: { kind: 'boolean', default: true },
    isolation: { kind: 'enum', values: ISOLATION_MODES, want: "'namespaces' or 'none'" },
    network: { kind: 'enum', values: ['host', 'none'], want: "'host' or 'none'" },
    limits: { kind: 'any', map: normalizeLimits },
    readOnlyPaths: { kind: 'strings', map: frozenCopy },
    uidPool: 'any',
    restart: 'any',
  } satisfies Record<keyof ServiceRunnerOptions, OptionKind | OptionRule>,
});

/** The options of one run; `healthPath` and `timeoutMs` default to the runner's. */
export const RUN_OPTIONS = defineOptions({
  ...PKG,
  options: {
    serviceId: 'any',
    content: {
      kind: 'any',
      required: true,
      want: 'Markdown text or {files, deps, run}',
      check: (content: unknown) =>
        typeof content === 'string' || (content !== null && typeof content === 'object')
          ? undefined
          : 'Markdown text or {files, deps, run}',
    },
    port: { kind: 'integer', min: 1, max: 65_535, required: true, want: 'a port number (1-65535)' },
    onLog: 'function',
    env: {
      kind: 'object',
      want: 'an object of strings',
      check: (env: object) =>
        Object.values(env).every((v) => typeof v === 'string') ? undefined : 'an object of strings',
    },
    healthPath,
    timeoutMs: { kind: 'integer', min: 1 },
    restart: 'any',
  } satisfies Record<keyof RunOptions, OptionKind | OptionRule>,
});

/** The isolation options, checked now so a bad one fails the constructor, not the first run. */
function isolationOptions(o: Record<string, unknown>): IsolationOptions {
  const out: IsolationOptions = {};
  if (o.isolation !== undefined) out.isolation = o.isolation as IsolationOptions['isolation'];
  if (o.network !== undefined) out.network = o.network as IsolationOptions['network'];
  if (o.limits !== undefined) out.limits = o.limits as IsolationOptions['limits'];
  if (o.readOnlyPaths !== undefined) out.readOnlyPaths = o.readOnlyPaths as readonly string[];
  if (o.uidPool !== undefined) out.uidPool = o.uidPool as UidPool;
  return out;
}

/** A restart policy checked with the shared coded error; a run's own policy starts from the runner's. */
function restartPolicy(value: unknown, base: NormalizedRestart | undefined): NormalizedRestart {
  if (value === undefined && base !== undefined) return base;
  try {
    if (base !== undefined && typeof value === 'string') return normalizeRestart({ ...base, restart: value as never });
    if (base !== undefined && typeof value === 'object' && value !== null)
      return normalizeRestart({ ...base, ...(value as object) });
    return normalizeRestart(value as Parameters<typeof normalizeRestart>[0]);
  } catch (error) {
    throw RUNNER_OPTIONS.invalid('restart', value, (error as Error).message.replace(/^\[@pactown\/sandbox\] /, ''));
  }
}

/** Own enumerable keys only, on a null-prototype object: an inherited property is never an option. */
function ownCopy(input: object): Record<string, unknown> {
  return Object.assign(Object.create(null), input);
}

/** Copies, defaults and checks the runner's options; a bad value throws a TypeError naming the option. */
export function normalizeRunnerOptions(input: ServiceRunnerOptions): NormalizedRunnerOptions {
  if (input === null || typeof input !== 'object')
    throw RUNNER_OPTIONS.invalid('options', input, 'an object with sandboxesDir');
  const own = ownCopy(input);
  if (own.logsLevel === undefined) own.logsLevel = process.env.PACTOWN_UI_LOG_LEVEL ?? 'INFO';
  const o = RUNNER_OPTIONS.parse(own, 'ServiceRunner options');
  const sandboxesDir = resolve(o.sandboxesDir);
  const cacheDir: string = o.cacheDir ?? join(sandboxesDir, '.cache');
  return {
    sandboxesDir,
    logger: o.logger ?? defaultLogger('pactown.sandbox'),
    fastStartLogger: o.fastStartLogger ?? defaultLogger('pactown.fast_start'),
    cache: o.cache,
    cacheDir: isAbsolute(cacheDir) ? cacheDir : resolve(cacheDir),
    cacheMaxEntries: o.cacheMaxEntries,
    cacheMaxAgeMs: o.cacheMaxAgeMs,
    python: o.python,
    pipArgs: o.pipArgs,
    npm: o.npm,
    npmArgs: o.npmArgs,
    installerEnv: o.installerEnv,
    envAllowList: o.envAllowList,
    timeoutMs: o.timeoutMs,
    healthPath: o.healthPath,
    logsLevel: o.logsLevel,
    logsMaxLines: o.logsMaxLines,
    logsMaxBytes: o.logsMaxBytes,
    stderrOutputMaxLines: o.stderrOutputMaxLines,
    stderrOutputMaxBytes: o.stderrOutputMaxBytes,
    killGraceMs: o.killGraceMs,
    tailBytes: o.tailBytes,
    removeSandboxOnStop: o.removeSandboxOnStop,
    isolation: isolationOptions(o),
    restart: restartPolicy(o.restart, undefined),
  };
}

/** Checks one run's options against the runner's defaults. The service id is checked by the caller. */
export function normalizeRunOptions(
  input: RunOptions,
  runner: NormalizedRunnerOptions,
): Required<Omit<RunOptions, 'onLog' | 'env' | 'restart'>> &
  Pick<RunOptions, 'onLog' | 'env'> & { restart: NormalizedRestart } {
  if (input === null || typeof input !== 'object')
    throw RUN_OPTIONS.invalid('runFromContent options', input, 'an object');
  const o = RUN_OPTIONS.parse(ownCopy(input), 'runFromContent options');
  return {
    serviceId: o.serviceId,
    content: o.content,
    port: o.port,
    onLog: o.onLog,
    env: o.env,
    healthPath: o.healthPath ?? runner.healthPath,
    timeoutMs: o.timeoutMs ?? runner.timeoutMs,
    restart: restartPolicy(o.restart, runner.restart),
  };
}
