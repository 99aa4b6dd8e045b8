import type pino from 'pino';
import type { Handler, LevelInput } from './types.js';

/** What log-core adds to a pino logger. */
export interface LoggerExtensions {
  /** Creates a pino child; it follows this logger's level (and later changes to it) unless given its own. */
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger;
  /** Alias of `warn()` (Python's name). */
  warning: pino.LogFn;
  /** Alias of `fatal()` (Python's name). */
  critical: pino.LogFn;
  /** Sets this logger's own level; `'NOTSET'` (or 0) returns it to inheriting its ancestors' level. */
  setLevel(level: LevelInput): void;
  /** The level records must reach: the own level, else the nearest ancestor's (root's at worst). */
  getEffectiveLevel(): number;
  /** Whether a record of `level` would be handled by this logger (Python's `isEnabledFor`). */
  isEnabledFor(level: LevelInput): boolean;
  /** Attaches a handler to this logger's node in the hierarchy. */
  addHandler(handler: Handler): void;
  /** Detaches a handler (no-op when it was not attached). */
  removeHandler(handler: Handler): void;
  /** The handlers attached to this logger's node. */
  readonly handlers: readonly Handler[];
  /** When false, records stop here instead of going on to the ancestors' handlers. @default true */
  propagate: boolean;
  /** Dotted name, `'root'` for the root logger. */
  readonly loggerName: string;
  /** The logger above this one in the hierarchy (`null` for root). */
  readonly parentLogger: Logger | null;
}

/** A real pino logger (pass it to Fastify or anything typed `pino.Logger`) with Python's named-logger semantics. */
export type Logger = LoggerExtensions & pino.Logger;
