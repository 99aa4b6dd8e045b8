/**
 * The died report as @pactown/sandbox produces it. Declared here structurally:
 * this package reads any object of this shape and never imports the sandbox.
 */

/** Why a service failed, as the runner classifies it. */
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

/** One thing the operator can do about a failure. */
export interface Suggestion {
  action: string;
  description: string;
  command?: string;
  autoFixable: boolean;
}

/** How a process ended. */
export interface ExitDescription {
  /** Exit code, or `-N` for signal N (`-15`), as the seed prints it. */
  code: number | null;
  /** Raw exit status from the OS (`null` when killed by a signal directly). */
  exitCode: number | null;
  /** Signal name, e.g. `'SIGTERM'`. */
  signal: string | null;
  signalNumber: number | null;
  /** `'Termination'`, `'Exited normally'`, ... */
  description: string;
  /** The signal cannot be caught (SIGKILL-like). */
  forced: boolean;
  /** A shell's `128+N` status was read as signal N. */
  viaShell: boolean;
  /** `'Process killed by SIGTERM (exit code: -15)'` or `'Process exited with code: 1'`. */
  message: string;
}

/** Everything known about one service death. */
export interface DiedReport {
  serviceId: string;
  pid: number | null;
  /** The command line as run (secrets redacted). */
  command: string;
  cwd: string;
  /** The `.venv` or `node_modules` folder, if any (the `Venv:` line). */
  envDir: string | null;
  exit: ExitDescription;
  message: string;
  category: FailureCategory;
  suggestions: Suggestion[];
  /** The last part of stderr. */
  stderrTail: string;
  /** Bytes cut before `stderrTail`. */
  stderrDroppedBytes: number;
  stdoutTail: string;
  stdoutDroppedBytes: number;
  /** Sandbox file names, e.g. `['main.py', 'requirements.txt', '.venv']`. */
  files: string[];
  /** ISO 8601 with milliseconds. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

/**
 * A report as it is stored in (and read back from) an error file: a
 * {@link DiedReport} after redaction, ANSI stripping and the size limits.
 */
export interface ErrorFileReport extends DiedReport {
  /** File names beyond the FILES cap (listed as a count only). */
  filesOmitted: number;
  /**
   * `'pactown'` for files written by this package, `'legacy'` for files with
   * only the seed's lines (written by the Python original). Legacy files lack
   * most fields; they are filled with `null`, `''`, `0` or `'unknown'`.
   */
  format: 'pactown' | 'legacy';
}

/** One row of {@link listErrorFiles}. */
export interface ErrorFileEntry {
  serviceId: string;
  /** 0 for the newest file, N for `.N`. */
  index: number;
  path: string;
  /** When the service ended (the `Ended:` line), else the file's modification time. ISO 8601. */
  time: string;
  /** The `Exit code:` value. */
  exitCode: number | null;
  category: FailureCategory | string;
  /** File size in bytes. */
  size: number;
}
