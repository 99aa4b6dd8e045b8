/**
 * Options of `startService` and `waitReady`, normalized in one place:
 * copied to a null-prototype object, defaults applied, invalid values
 * rejected with a `TypeError` naming the option and the value.
 */
import { existsSync, statSync } from 'node:fs';
import { defineOptions } from '@pactown/options';
import { collectSecretValues, createLineMasker, getLogger, getRedactor } from '@pactown/log-core';
import type { StreamMasker } from './service-records.js';
import { isValidServiceId } from '../workspace/service-id.js';
import { LOGGER_NAME, type OnLog } from './service-records.js';
import type { IsolationOptions } from './isolation/prepare.js';
import { UidPool } from './isolation/uid-pool.js';
import type { SandboxLogger } from './types.js';

export interface StartOptions extends IsolationOptions {
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
  /** After the process exits (and what it left behind in its group and cgroup was ended), how long to wait for the end of its pipes before reporting without the rest. @default 5000 */
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
  /**
   * Under `'namespaces'`: the sandbox root `cwd` was made in with
   * `createServiceDir`; `cwd` is then handed to the service's uid so it can
   * write it. Without it no owner changes, and `cwd` must already be writable by the service.
   */
  sandboxRoot?: string;
}

const ISOLATION_KEYS = ['isolation', 'network', 'limits', 'readOnlyPaths', 'uidPool'] as const;

export type NormalizedStartOptions = Required<
  Omit<
    StartOptions,
    | 'args'
    | 'env'
    | 'logger'
    | 'onLog'
    | 'envDir'
    | 'files'
    | 'port'
    | 'envAllowList'
    | 'sandboxRoot'
    | (typeof ISOLATION_KEYS)[number]
  >
> &
  Pick<StartOptions, 'args' | 'env' | 'onLog' | 'envDir' | 'files' | 'envAllowList' | 'sandboxRoot'> & {
    logger: SandboxLogger;
    port: number | null;
    /** Checked when the service starts (`prepareStart`). */
    isolationOptions: IsolationOptions;
  };

const isLogger = (value: { child?: unknown }): string | undefined =>
  typeof value.child === 'function' ? undefined : 'a pino-compatible logger';

/** The one table of `startService` options: kind, default and check of each, named once. */
export const START_OPTIONS = defineOptions({
  pkg: '@pactown/sandbox',
  prefix: 'PACTOWN_SANDBOX',
  options: {
    serviceId: {
      kind: 'string',
      required: true,
      check: (id: string) => (isValidServiceId(id) ? undefined : SERVICE_ID_RULE),
    },
    command: {
      kind: 'string',
      required: true,
      check: (c: string) => (c.trim() === '' ? 'a non-empty string' : undefined),
    },
    args: 'strings',
    cwd: {
      kind: 'string',
      required: true,
      check: (cwd: string) => (existsSync(cwd) && statSync(cwd).isDirectory() ? undefined : 'an existing directory'),
    },
    env: {
      kind: 'object',
      check: (env: object) => (validEnv(env) ? undefined : 'an object of strings, numbers, booleans or undefined'),
    },
    envAllowList: 'strings',
    shell: { kind: 'enum', values: [true, false, 'auto'], default: 'auto' },
    logger: {
      kind: 'object',
      check: isLogger,
      default: () => getLogger(LOGGER_NAME),
      defaultText: "`getLogger('pactown.sandbox')`",
    },
    onLog: 'function',
    logOutput: { kind: 'boolean', default: true },
    tailBytes: { kind: 'integer', min: 0, default: 65_536 },
    maxLineLength: { kind: 'integer', min: 1, default: 16_384 },
    killGraceMs: { kind: 'integer', min: 0, default: 5_000 },
    closeWaitMs: { kind: 'integer', min: 0, default: 5_000 },
    envDir: { kind: 'string', nullable: true },
    files: {
      kind: 'any',
      check: (f: unknown) => (typeof f === 'function' || Array.isArray(f) ? undefined : 'an array or a function'),
    },
    port: { kind: 'integer', min: 1, max: 65_535, nullable: true, want: 'a port number (1-65535)' },
    stopOnExit: { kind: 'boolean', default: true },
    redact: 'function',
    redactCheck: 'function',
    announceDeath: { kind: 'boolean', default: true },
    isolation: { kind: 'enum', values: ['namespaces', 'none'] },
    network: { kind: 'enum', values: ['host', 'none'] },
    limits: 'object',
    readOnlyPaths: 'strings',
    uidPool: { kind: 'any', check: (pool: unknown) => (pool instanceof UidPool ? undefined : 'a UidPool') },
    sandboxRoot: 'string',
  },
});

const SERVICE_ID_RULE = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'";

function bad(name: string, value: unknown, expected: string): never {
  throw START_OPTIONS.invalid(name, value, expected);
}

/** Options of `stop()`. */
export const STOP_OPTIONS = defineOptions({
  pkg: '@pactown/sandbox',
  prefix: 'PACTOWN_SANDBOX',
  options: { graceMs: { kind: 'integer', min: 0, want: 'a non-negative integer' } },
});

export function normalizeStartOptions(input: StartOptions): NormalizedStartOptions {
  if (input === null || typeof input !== 'object') bad('options', input, 'an object');
  const o = START_OPTIONS.parse(input, 'startService options') as StartOptions & NormalizedStartOptions;
  return Object.assign(Object.create(null), o, {
    port: o.port ?? null,
    redact: o.redact ?? defaultRedact,
    redactCheck: o.redactCheck ?? (o.redact === undefined ? defaultRedactCheck : alwaysCheck),
    isolationOptions: Object.fromEntries(
      ISOLATION_KEYS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]),
    ) as IsolationOptions,
  }) as NormalizedStartOptions;
}

const ENV_VALUE_TYPES = new Set(['string', 'number', 'boolean', 'undefined']);

function validEnv(env: unknown): boolean {
  if (env === null || typeof env !== 'object' || Array.isArray(env)) return false;
  return Object.values(env).every((value) => ENV_VALUE_TYPES.has(typeof value));
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

/**
 * How a service's text is masked, decided once when it starts: with the
 * default `redact`, log-core's redactor plus the values of secret-named
 * variables of the service's own `env` and of this process's environment
 * (masked wherever they appear, as a CI system masks its secrets), and one
 * streaming masker per output stream (a PEM block spans lines and chunks).
 * With your own `redact`, that function, line by line.
 */
export function createMasking(
  o: Pick<NormalizedStartOptions, 'redact' | 'redactCheck' | 'env'>,
  custom: boolean,
): {
  text: (text: string) => string;
  streams: Record<'stdout' | 'stderr', StreamMasker>;
} {
  if (custom) {
    const masker: StreamMasker = { line: o.redact, mayNeedRedaction: o.redactCheck };
    return { text: o.redact, streams: { stdout: masker, stderr: masker } };
  }
  const env: Record<string, string | undefined> = { ...process.env };
  for (const [key, value] of Object.entries(o.env ?? {})) env[key] = value === undefined ? undefined : String(value);
  const base = getRedactor();
  const known = collectSecretValues(env, base);
  const redactor = known.length === 0 ? base : base.withKnownValues(known);
  const stream = (): StreamMasker => {
    const masker = createLineMasker(redactor);
    const check =
      o.redactCheck === defaultRedactCheck
        ? (block: string) => masker.mayNeedRedaction(block)
        : (block: string) => masker.inBlock || o.redactCheck(block);
    return { line: (text) => masker.line(text), mayNeedRedaction: check };
  };
  return { text: (text) => redactor.redactText(text), streams: { stdout: stream(), stderr: stream() } };
}
