import { CODES, coreError } from '../codes.js';
import { createHandler, type ManagedHandler } from '../handler.js';
import { checkKeys, KNOWN } from '../known-options.js';
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
export function callbackHandler(
  callback: (message: string, record: LogRecord) => void,
  options: CallbackHandlerOptions = {},
): ManagedHandler {
  if (typeof callback !== 'function') {
    throw coreError(
      CODES.INVALID_ARGUMENT,
      `[@pactown/log-core] Invalid callback: ${String(callback)}; expected a function (message, record) => void.`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid callback handler options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.callback, 'callbackHandler()');
  return createHandler({
    name: options.name ?? 'callback',
    level: options.level,
    formatter: options.formatter ?? messageOnly,
    emit: callback,
  });
}
