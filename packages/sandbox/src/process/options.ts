/**
 * Options of `startService` and `waitReady`, normalised in one place:
 * copied to a null-prototype object, defaults applied, invalid values
 * rejected with a `TypeError` naming the option and the value.
 */
import { existsSync, statSync } from 'node:fs';
import { getLogger, getRedactor } from '@pactown/log-core';
import { LOGGER_NAME, type OnLog } from './service-records.js';
import type { SandboxLogger } from './types.js';

export interface StartOptions {
  /** Names the service in every record (`service` binding) and in the report. */
  serviceId: string;
  /** A command line (`'uvicorn main:app --port ${MARKPACT_PORT:-8010}'`), or the program when `args` is given. */
  command: string;
  /** Arguments; when given, `command` is the program and no shell is ever used. */
  args?: readonly string[];
  /** Working directory (must exist). */
  cwd: string;
  /** The service's own variables, added to the allow-listed parent ones; `undefined` removes one. */
  env?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Parent variables passed through (exact names, or prefixes ending in `*`). @default DEFAULT_ENV_ALLOW_LIST */
  envAllowList?: readonly string[];
  /** `'auto'`: a shell only when the command line uses shell syntax. @default 'auto' */
  shell?: boolean | 'auto';
  /** Where records go. @default `getLogger('pactown.sandbox')` from `@pactown/log-core` */
  logger?: SandboxLogger;
  /** Called live for every output line and every message about the service. */
  onLog?: OnLog;
  /** Also send each output line to the logger (INFO, with a `stream` field), masked with `redact`. @default true */
  logOutput?: boolean;
  /** Bytes kept of each stream for the report. @default 65536 */
  tailBytes?: number;
  /** Longest line delivered whole, in characters. @default 16384 */
  maxLineLength?: number;
  /** Time between SIGTERM and SIGKILL when stopping. @default 5000 */
  killGraceMs?: number;
  /** After the process exits, how long to wait for its pipes to close before reporting. @default 100 */
  closeWaitMs?: number;
  /** The `.venv`/`node_modules` folder for the report; `undefined` looks in `cwd`. */
  envDir?: string | null;
  /** The file list for the report; `undefined` lists `cwd`. */
  files?: readonly string[] | (() => readonly string[] | Promise<readonly string[]>);
  /** The port the service was given (for suggestions). */
  port?: number | null;
  /** Stop the service when this process exits. @default true */
  stopOnExit?: boolean;
  /** Masks secrets in the command line, in output lines given to `onLog` and to the logger, and in the report's tails and suggestions. @default log-core's `getRedactor().redactText` */
  redact?: (text: string) => string;
  /**
   * A cheap test over a whole chunk of lines: `false` promises that `redact`
   * leaves every line of it unchanged, so those lines skip masking one by one.
   * @default log-core's `getRedactor().mayNeedRedaction` with the default `redact`; with your own `redact`, every line is masked
   */
  redactCheck?: (block: string) => boolean;
  /** Log `❌ <exit message>` (ERROR) when the process ends without being stopped. @default true */
  announceDeath?: boolean;
}

export type NormalizedStartOptions = Required<
  Omit<StartOptions, 'args' | 'env' | 'logger' | 'onLog' | 'envDir' | 'files' | 'port' | 'envAllowList'>
> &
  Pick<StartOptions, 'args' | 'env' | 'onLog' | 'envDir' | 'files' | 'envAllowList'> & {
    logger: SandboxLogger;
    port: number | null;
  };

const SERVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

function bad(name: string, value: unknown, expected: string): never {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    shown = typeof value;
  }
  throw new TypeError(`[@pactown/sandbox] ${name} must be ${expected}, got ${shown}`);
}

export function nonNegativeInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) bad(name, value, 'a non-negative integer');
  return value;
}

export function positiveNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) bad(name, value, 'a positive number');
  return value;
}

export function validPort(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) bad(name, value, 'a port number (1-65535)');
  return value;
}

export function normalizeStartOptions(input: StartOptions): NormalizedStartOptions {
  if (input === null || typeof input !== 'object') bad('options', input, 'an object');
  const o = Object.assign(Object.create(null), input) as StartOptions;
  if (typeof o.serviceId !== 'string' || !SERVICE_ID.test(o.serviceId) || o.serviceId.startsWith('.')) {
    bad('serviceId', o.serviceId, 'letters, digits, ".", "_" or "-" (1-64, no leading dot)');
  }
  if (typeof o.command !== 'string' || o.command.trim() === '') bad('command', o.command, 'a non-empty string');
  if (o.args !== undefined && (!Array.isArray(o.args) || o.args.some((a) => typeof a !== 'string'))) {
    bad('args', o.args, 'an array of strings');
  }
  if (typeof o.cwd !== 'string' || !existsSync(o.cwd) || !statSync(o.cwd).isDirectory()) bad('cwd', o.cwd, 'an existing directory');
  if (o.shell !== undefined && o.shell !== 'auto' && typeof o.shell !== 'boolean') bad('shell', o.shell, "true, false or 'auto'");
  if (o.onLog !== undefined && typeof o.onLog !== 'function') bad('onLog', o.onLog, 'a function');
  if (o.redact !== undefined && typeof o.redact !== 'function') bad('redact', o.redact, 'a function');
  if (o.redactCheck !== undefined && typeof o.redactCheck !== 'function') bad('redactCheck', o.redactCheck, 'a function');
  if (o.logger !== undefined && (o.logger === null || typeof o.logger.child !== 'function')) bad('logger', o.logger, 'a pino-compatible logger');
  if (o.files !== undefined && typeof o.files !== 'function' && !Array.isArray(o.files)) bad('files', o.files, 'an array or a function');
  if (o.env !== undefined && !validEnv(o.env)) bad('env', o.env, 'an object of strings, numbers, booleans or undefined');
  if (o.envAllowList !== undefined && (!Array.isArray(o.envAllowList) || o.envAllowList.some((e) => typeof e !== 'string'))) {
    bad('envAllowList', o.envAllowList, 'an array of strings');
  }
  if (o.envDir !== undefined && o.envDir !== null && typeof o.envDir !== 'string') bad('envDir', o.envDir, 'a string or null');
  for (const name of ['logOutput', 'stopOnExit', 'announceDeath'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'boolean') bad(name, o[name], 'true or false');
  }
  return {
    serviceId: o.serviceId,
    command: o.command,
    args: o.args,
    cwd: o.cwd,
    env: o.env,
    envAllowList: o.envAllowList,
    shell: o.shell ?? 'auto',
    logger: o.logger ?? defaultLogger(),
    onLog: o.onLog,
    logOutput: o.logOutput ?? true,
    tailBytes: nonNegativeInt('tailBytes', o.tailBytes, 65_536),
    maxLineLength: positiveIntOr('maxLineLength', o.maxLineLength, 16_384),
    killGraceMs: nonNegativeInt('killGraceMs', o.killGraceMs, 5_000),
    closeWaitMs: nonNegativeInt('closeWaitMs', o.closeWaitMs, 100),
    envDir: o.envDir,
    files: o.files,
    port: o.port === undefined || o.port === null ? null : validPort('port', o.port),
    stopOnExit: o.stopOnExit ?? true,
    redact: o.redact ?? defaultRedact,
    redactCheck: o.redactCheck ?? (o.redact === undefined ? defaultRedactCheck : alwaysCheck),
    announceDeath: o.announceDeath ?? true,
  };
}

const ENV_VALUE_TYPES = new Set(['string', 'number', 'boolean', 'undefined']);

function validEnv(env: unknown): boolean {
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return false;
  return Object.values(env).every((value) => ENV_VALUE_TYPES.has(typeof value));
}

function positiveIntOr(name: string, value: unknown, fallback: number): number {
  const n = nonNegativeInt(name, value, fallback);
  if (n === 0) bad(name, value, 'a positive integer');
  return n;
}

const alwaysCheck = (): boolean => true;

/** log-core's redactor, looked up at each call (a later `configure` may replace it). */
export function defaultRedact(text: string): string {
  return getRedactor().redactText(text);
}

/** log-core's block pre-check (an older log-core without one: check every line). */
export function defaultRedactCheck(block: string): boolean {
  const redactor = getRedactor() as Partial<ReturnType<typeof getRedactor>>;
  return typeof redactor.mayNeedRedaction === 'function' ? redactor.mayNeedRedaction(block) : true;
}

/** log-core's `pactown.sandbox` logger, looked up when a service starts (never at import time). */
function defaultLogger(): SandboxLogger {
  return getLogger(LOGGER_NAME);
}
