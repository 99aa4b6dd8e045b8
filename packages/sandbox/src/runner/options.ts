import { isAbsolute, join, resolve } from 'node:path';
import { rejectUnknownKeys } from '@pactown/options';
import { buildEnv } from '../process/env.js';
import { normalizeLimits } from '../process/isolation/limits.js';
import { ISOLATION_MODES } from '../process/isolation/mode.js';
import { type NormalizedRestart, normalizeRestart } from '../process/isolation/restart-policy.js';
import type { IsolationOptions } from '../process/isolation/prepare.js';
import { START_OPTIONS } from '../process/options.js';
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

const WHERE = { pkg: '@pactown/sandbox', prefix: 'PACTOWN_SANDBOX' } as const;

/** The options of `new ServiceRunner(...)` and of one run, each named once. */
const RUNNER_KEYS: readonly (keyof ServiceRunnerOptions)[] = [
  'sandboxesDir',
  'logger',
  'fastStartLogger',
  'cache',
  'cacheDir',
  'cacheMaxEntries',
  'cacheMaxAgeMs',
  'python',
  'pipArgs',
  'npm',
  'npmArgs',
  'installerEnv',
  'envAllowList',
  'timeoutMs',
  'healthPath',
  'logsLevel',
  'logsMaxLines',
  'logsMaxBytes',
  'stderrOutputMaxLines',
  'stderrOutputMaxBytes',
  'killGraceMs',
  'tailBytes',
  'removeSandboxOnStop',
  'isolation',
  'network',
  'limits',
  'readOnlyPaths',
  'uidPool',
  'restart',
];
const RUN_KEYS: readonly (keyof RunOptions)[] = [
  'serviceId',
  'content',
  'port',
  'onLog',
  'env',
  'healthPath',
  'timeoutMs',
  'restart',
];

/** The shared coded `TypeError` (`PACTOWN_SANDBOX_INVALID_OPTION`) naming the option and the value. */
export function bad(name: string, value: unknown, expected: string): never {
  throw START_OPTIONS.invalid(name, value, expected);
}

function int(name: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) bad(name, value, `an integer >= ${min}`);
  return value;
}

function str(name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') bad(name, value, 'a non-empty string');
  return value;
}

function strings(name: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) bad(name, value, 'an array of strings');
  return Object.freeze([...value]);
}

function level(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && LEVELS[value.toUpperCase()] !== undefined) return LEVELS[value.toUpperCase()]!;
  return bad(name, value, "'DEBUG', 'INFO', 'WARNING', 'ERROR' or a level number");
}

function isLogger(value: unknown): value is SandboxLogger {
  const v = value as Record<string, unknown> | null;
  return (
    v !== null &&
    typeof v === 'object' &&
    ['debug', 'info', 'warn', 'error', 'child'].every((m) => typeof v[m] === 'function')
  );
}

/** The isolation options, checked now so a bad one fails the constructor, not the first run. */
function isolationOptions(o: ServiceRunnerOptions): IsolationOptions {
  const out: IsolationOptions = {};
  if (o.isolation !== undefined) {
    if (!ISOLATION_MODES.includes(o.isolation)) bad('isolation', o.isolation, "'namespaces' or 'none'");
    out.isolation = o.isolation;
  }
  if (o.network !== undefined) {
    if (o.network !== 'host' && o.network !== 'none') bad('network', o.network, "'host' or 'none'");
    out.network = o.network;
  }
  if (o.limits !== undefined) out.limits = normalizeLimits(o.limits);
  if (o.readOnlyPaths !== undefined) out.readOnlyPaths = strings('readOnlyPaths', o.readOnlyPaths);
  if (o.uidPool !== undefined) out.uidPool = o.uidPool;
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
    return bad('restart', value, (error as Error).message.replace(/^\[@pactown\/sandbox\] /, ''));
  }
}

/** Copies, defaults and checks the runner's options; a bad value throws a TypeError naming the option. */
export function normalizeRunnerOptions(input: ServiceRunnerOptions): NormalizedRunnerOptions {
  if (input === null || typeof input !== 'object') bad('options', input, 'an object with sandboxesDir');
  rejectUnknownKeys(input, RUNNER_KEYS, { ...WHERE, where: 'ServiceRunner options' });
  const o = Object.assign(Object.create(null), input) as ServiceRunnerOptions;
  if (typeof o.sandboxesDir !== 'string' || o.sandboxesDir === '') bad('sandboxesDir', o.sandboxesDir, 'a folder path');
  const sandboxesDir = resolve(o.sandboxesDir);
  if (o.logger !== undefined && !isLogger(o.logger))
    bad('logger', o.logger, 'a pino-compatible logger (debug, info, warn, error, child)');
  if (o.fastStartLogger !== undefined && !isLogger(o.fastStartLogger))
    bad('fastStartLogger', o.fastStartLogger, 'a pino-compatible logger');
  if (o.cache !== undefined && typeof o.cache !== 'boolean') bad('cache', o.cache, 'a boolean');
  if (o.removeSandboxOnStop !== undefined && typeof o.removeSandboxOnStop !== 'boolean')
    bad('removeSandboxOnStop', o.removeSandboxOnStop, 'a boolean');
  if (o.installerEnv !== undefined && (o.installerEnv === null || typeof o.installerEnv !== 'object'))
    bad('installerEnv', o.installerEnv, 'an object');
  const healthPath = str('healthPath', o.healthPath, '/health');
  if (!healthPath.startsWith('/')) bad('healthPath', healthPath, "a path starting with '/'");
  const logger = o.logger ?? defaultLogger('pactown.sandbox');
  const cacheDir = str('cacheDir', o.cacheDir, join(sandboxesDir, '.cache'));
  return {
    sandboxesDir,
    logger,
    fastStartLogger: o.fastStartLogger ?? defaultLogger('pactown.fast_start'),
    cache: o.cache ?? true,
    cacheDir: isAbsolute(cacheDir) ? cacheDir : resolve(cacheDir),
    cacheMaxEntries: int('cacheMaxEntries', o.cacheMaxEntries, 20, 1),
    cacheMaxAgeMs: int('cacheMaxAgeMs', o.cacheMaxAgeMs, 86_400_000, 0),
    python: str('python', o.python, 'python3'),
    pipArgs: strings('pipArgs', o.pipArgs),
    npm: str('npm', o.npm, 'npm'),
    npmArgs: strings('npmArgs', o.npmArgs),
    installerEnv: o.installerEnv ?? buildEnv({ allowList: INSTALLER_ENV_ALLOW_LIST }),
    envAllowList: o.envAllowList === undefined ? undefined : strings('envAllowList', o.envAllowList),
    timeoutMs: int('timeoutMs', o.timeoutMs, 10_000, 1),
    healthPath,
    logsLevel: level('logsLevel', o.logsLevel ?? process.env.PACTOWN_UI_LOG_LEVEL ?? 'INFO'),
    logsMaxLines: int('logsMaxLines', o.logsMaxLines, 1000, 2),
    logsMaxBytes: int('logsMaxBytes', o.logsMaxBytes, 1_048_576, 1024),
    stderrOutputMaxLines: int('stderrOutputMaxLines', o.stderrOutputMaxLines, 500, 1),
    stderrOutputMaxBytes: int('stderrOutputMaxBytes', o.stderrOutputMaxBytes, 65_536, 1024),
    killGraceMs: int('killGraceMs', o.killGraceMs, 5000, 0),
    tailBytes: int('tailBytes', o.tailBytes, 65_536, 1024),
    removeSandboxOnStop: o.removeSandboxOnStop ?? true,
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
  if (input === null || typeof input !== 'object') bad('runFromContent options', input, 'an object');
  rejectUnknownKeys(input, RUN_KEYS, { ...WHERE, where: 'runFromContent options' });
  const o = Object.assign(Object.create(null), input) as RunOptions;
  if (typeof o.port !== 'number' || !Number.isInteger(o.port) || o.port < 1 || o.port > 65_535)
    bad('port', o.port, 'a port number (1-65535)');
  if (o.onLog !== undefined && typeof o.onLog !== 'function') bad('onLog', o.onLog, 'a function');
  if (
    o.env !== undefined &&
    (o.env === null || typeof o.env !== 'object' || Object.values(o.env).some((v) => typeof v !== 'string'))
  ) {
    bad('env', o.env, 'an object of strings');
  }
  if (typeof o.content !== 'string' && (o.content === null || typeof o.content !== 'object'))
    bad('content', o.content, 'Markdown text or {files, deps, run}');
  const healthPath = str('healthPath', o.healthPath, runner.healthPath);
  if (!healthPath.startsWith('/')) bad('healthPath', healthPath, "a path starting with '/'");
  return {
    serviceId: o.serviceId,
    content: o.content,
    port: o.port,
    onLog: o.onLog,
    env: o.env,
    healthPath,
    timeoutMs: int('timeoutMs', o.timeoutMs, runner.timeoutMs, 1),
    restart: restartPolicy(o.restart, runner.restart),
  };
}
