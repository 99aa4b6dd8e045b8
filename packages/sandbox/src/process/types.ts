/**
 * Shapes shared by the process layer and its consumers. `DiedReport`,
 * `ExitDescription`, `FailureCategory` and `Suggestion` are a cross-package
 * contract (`@pactown/error-files` reads any object of this shape): change
 * them only with a major version.
 */

/** Why a run failed; `none` only for a process we stopped ourselves. */
export type FailureCategory =
  | 'none'
  | 'validation'
  | 'dependency'
  | 'port_conflict'
  | 'syntax'
  | 'permission'
  | 'environment'
  | 'out_of_memory'
  | 'resource_limit'
  | 'startup_timeout'
  | 'killed'
  | 'process_crash'
  | 'security'
  | 'unknown';

/** One thing the user (or a tool) can do about a failure. */
export interface Suggestion {
  /** A stable machine name, e.g. `'add_dependency'`, `'kill_port_process'`. */
  action: string;
  /** A sentence naming the specifics, e.g. `"Add 'requests' to the dependencies"`. */
  description: string;
  /** A shell command that would apply it, when there is one. */
  command?: string;
  /** Whether a tool could apply it without asking the user. */
  autoFixable: boolean;
}

/** A process end as facts and as the sentence the seed prints. */
export interface ExitDescription {
  /** The seed's number: the exit code, or `-N` for signal N (`-15`). */
  code: number | null;
  /** The raw exit status from the OS; `null` when killed by a signal directly. */
  exitCode: number | null;
  /** Signal name, e.g. `'SIGTERM'` (also when recognised from a shell's `128+N`). */
  signal: string | null;
  signalNumber: number | null;
  /** `'Termination'`, `'Forced termination'`, `'Exited normally'`, ... */
  description: string;
  /** Whether the end could not be refused or handled (SIGKILL-like). */
  forced: boolean;
  /** `true` when a `128+N` status from a shell was read as signal N. */
  viaShell: boolean;
  /** `'Process killed by SIGTERM (exit code: -15)'` or `'Process exited with code: 1'`. */
  message: string;
}

/** Everything known about a process that ended, as plain data. */
export interface DiedReport {
  serviceId: string;
  pid: number | null;
  /** The command line as run, secrets redacted. */
  command: string;
  cwd: string;
  /** The `.venv` or `node_modules` folder, if any. */
  envDir: string | null;
  exit: ExitDescription;
  /** `exit.message`, or the failure message (e.g. a readiness timeout). */
  message: string;
  category: FailureCategory;
  suggestions: Suggestion[];
  /** The last part of stderr, as written (no marker: the bytes cut before it are `stderrDroppedBytes`). */
  stderrTail: string;
  /** Bytes of stderr cut before the tail. */
  stderrDroppedBytes: number;
  /** The last part of stdout, as written. */
  stdoutTail: string;
  /** Bytes of stdout cut before the tail. */
  stdoutDroppedBytes: number;
  /** Names in the working directory, e.g. `['main.py', 'requirements.txt', '.venv']`. */
  files: string[];
  /** ISO 8601 with milliseconds. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

/** The logger method of a record's level. */
export type LevelKey = 'debug' | 'info' | 'warn' | 'error';

/** Where a live record came from: the service's (or an installer's) streams, or this package. */
export type OutputStream = 'stdout' | 'stderr' | 'system';

/** One live line of a service, or one message about it, as `onLog` receives it. */
export interface ServiceLogRecord {
  message: string;
  /** pino scale: 20 DEBUG, 30 INFO, 40 WARNING, 50 ERROR. */
  level: number;
  levelName: string;
  /** The logger name, `'pactown.sandbox'`. */
  logger: string;
  /** Epoch milliseconds. */
  time: number;
  serviceId: string;
  stream: OutputStream;
  /** `true` when this line is a piece of a longer line that was split. */
  split?: boolean;
}

type LogMethod = {
  (msg: string): void;
  (obj: object, msg?: string): void;
};

/**
 * The logger this package writes to: any pino-compatible logger works
 * (`@pactown/log-core`'s `getLogger('pactown.sandbox')`, or `pino()`).
 */
export interface SandboxLogger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  child(bindings: Record<string, unknown>): SandboxLogger;
}
