import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput, LogRecord } from '../types.js';

/** Options of {@link callbackHandler}. */
export interface CallbackHandlerOptions {
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** Makes the `message` argument. @default the record's message as it is (the seed's `on_log` text) */
  formatter?: Formatter;
  /** Name in error reports. @default 'callback' */
  name?: string;
}

const messageOnly: Formatter = (record) => record.message;

/**
 * The seed's `on_log`: calls `callback(message, record)` for every record.
 * A callback that throws is counted and reported once; logging goes on.
 */
export function callbackHandler(callback: (message: string, record: LogRecord) => void, options: CallbackHandlerOptions = {}): ManagedHandler {
  if (typeof callback !== 'function') {
    throw new TypeError(`[@pactown/log-core] Invalid callback: ${String(callback)}; expected a function (message, record) => void.`);
  }
  return createHandler({
    name: options.name ?? 'callback',
    level: options.level,
    formatter: options.formatter ?? messageOnly,
    emit: callback,
  });
}
