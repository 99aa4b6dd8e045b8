import type { ConsoleHandlerOptions, StreamHandlerOptions } from './handlers/stream.js';
import type { BackpressureOptions } from './handlers/stream-options.js';
import type { HandleExitOptions } from './lifecycle.js';
import type { RedactorOptions } from './redact.js';
import type { Formatter, Handler, LevelInput, LogRecord } from './types.js';

/** A formatter described as data (or a ready formatter function). */
export type FormatterConfig =
  | Formatter
  | { type?: 'pattern'; format?: string; datefmt?: string; utc?: boolean }
  | { type: 'json'; timestamp?: 'iso' | 'asctime' | 'epoch'; datefmt?: string }
  | { type: 'ndjson' }
  | { type: 'pretty'; colorize?: boolean; datefmt?: string };

interface HandlerBase {
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** A name from `formatters`, or a formatter. @default the pattern formatter with DEFAULT_PATTERN */
  formatter?: string | Formatter;
}

/** A handler described as data (or a ready handler). */
export type HandlerConfig =
  | Handler
  | (HandlerBase & BackpressureOptions & { type: 'console'; stream?: ConsoleHandlerOptions['stream'] })
  | (HandlerBase & BackpressureOptions & { type: 'stream'; stream: StreamHandlerOptions['stream'] })
  | (HandlerBase & { type: 'file'; filename: string; maxPendingBytes?: number })
  | (HandlerBase & {
      type: 'rotating-file';
      filename: string;
      maxBytes: number;
      backupCount: number;
      maxPendingBytes?: number;
    })
  | (HandlerBase & { type: 'callback'; callback: (message: string, record: LogRecord) => void })
  | (HandlerBase & { type: 'transport'; target: string; options?: Record<string, unknown> });

/** One logger's settings. */
export interface LoggerConfig {
  /** Own level; `'NOTSET'` inherits. @default unchanged */
  level?: LevelInput;
  /** Names from `handlers`, attached to this logger. @default [] */
  handlers?: string[];
  /** @default true */
  propagate?: boolean;
}

/** The equivalent of Python's `logging.config.dictConfig`. */
export interface LoggingConfig {
  /** Root level shorthand (same as `root.level`). */
  level?: LevelInput;
  /** The root logger. */
  root?: LoggerConfig;
  /** Loggers by dotted name. */
  loggers?: Record<string, LoggerConfig>;
  /** Formatters by name. */
  formatters?: Record<string, FormatterConfig>;
  /** Handlers by name. */
  handlers?: Record<string, HandlerConfig>;
  /** Redaction applied before any handler; replaces the default redactor. @default the defaults */
  redact?: RedactorOptions;
  /** Run redaction over message text too. @default true */
  redactMessages?: boolean;
  /** Read `PACTOWN_LOG_LEVEL` / `PACTOWN_LOG_LEVELS` from this map (`true`: process.env) after the rest; `false` to skip. @default true */
  env?: boolean | Readonly<Record<string, string | undefined>>;
  /** Install the exit/signal flush (see `handleExit`). @default false */
  handleExit?: boolean | HandleExitOptions;
  /** Write what every handler holds at exit (an `'exit'` listener installed when the first file is opened), also without `handleExit`. @default true */
  flushOnExit?: boolean;
  /** Python's last resort: WARNING+ records that meet no handler are written to stderr. @default true */
  lastResort?: boolean;
  /** Keep handlers from an earlier `configure()`; by default they are detached and closed. @default false */
  incremental?: boolean;
}

/** What `configure()` built. */
export interface ConfigureResult {
  handlers: Record<string, Handler>;
  formatters: Record<string, Formatter>;
}
