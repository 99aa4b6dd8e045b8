/**
 * The contract every part of @pactown speaks: what a log record is, what a
 * formatter and a handler are. Other packages (the Loki transport's handler,
 * error-files' aggregate log) build on these types, so they change only with a
 * major version.
 */

/** A level name in either vocabulary, any case: `'WARNING'`, `'warn'`, `'critical'`, `'fatal'`. */
export type LevelName = 'TRACE' | 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** Anything `parseLevel` accepts: a name in either vocabulary (any case), `'NOTSET'`, `'SILENT'`, or a number. */
export type LevelInput = string | number;

/** An error as handlers see it: plain data, safe to serialize. */
export interface SerializedError {
  /** The constructor name, e.g. `'TypeError'`. */
  type: string;
  message: string;
  /** The full stack, first line included, as V8 prints it. */
  stack?: string;
  code?: string | number;
  /** The `cause` chain, serialized the same way. */
  cause?: SerializedError;
  [key: string]: unknown;
}

/** One log event after interpolation and redaction, as every handler receives it. */
export interface LogRecord {
  /** Level number on pino's scale: 10 TRACE, 20 DEBUG, 30 INFO, 40 WARNING, 50 ERROR, 60 CRITICAL. */
  readonly level: number;
  /** The Python-style name of `level`: `'INFO'`, `'WARNING'`, ... (a custom number gets `'Level N'`). */
  readonly levelName: string;
  /** Dotted name of the logger that made the record, e.g. `'pactown.sandbox'`; `'root'` for the root logger. */
  readonly name: string;
  /** The message, printf-style arguments already applied. May contain newlines; formatters decide how to show them. */
  readonly message: string;
  /** Creation time, epoch milliseconds. */
  readonly time: number;
  readonly pid: number;
  readonly hostname: string;
  /**
   * Bound fields (from `child(bindings)`) merged with the call's own object
   * argument, already redacted. Never holds `level`, `time`, `msg`, `name` or `err`.
   */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The error given to the call (`log.error(err)` or `log.error({err}, msg)`), serialized. */
  readonly err?: SerializedError;
}

/** Turns a record into one piece of text, without a trailing newline. */
export type Formatter = (record: LogRecord) => string;

/**
 * A destination for records. Handlers never throw into the code that logged:
 * a failure is reported once on stderr and counted in `errors`.
 */
export interface Handler {
  /** A short description for error reports, e.g. `'rotating-file:/var/log/pactown/sandbox.log'`. */
  readonly name: string;
  /** Minimum level number this handler accepts. */
  readonly level: number;
  /** Changes the handler's own level. */
  setLevel(level: LevelInput): void;
  /** Number of records this handler failed to write. */
  readonly errors: number;
  /** Called synchronously for every record that passes the logger and this handler's level. Must not throw. */
  handle(record: LogRecord): void;
  /** Resolves once every record handled so far has been written (or finally failed). */
  flush(): Promise<void>;
  /** Flushes, then releases files, sockets and workers. Idempotent. */
  close(): Promise<void>;
  /** Optional: writes what can be written synchronously (called from an `'exit'` listener). Must not throw. */
  flushSync?(): void;
}
