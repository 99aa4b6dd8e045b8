/**
 * Every error log-core throws or reports carries one of these `code`s;
 * callers branch on the code, not on the message. The README's table lists
 * them (a test checks it against this object).
 */
export const CODES = Object.freeze({
  /** An option has a value of the wrong kind or out of range. */
  INVALID_OPTION: 'PACTOWN_CORE_INVALID_OPTION',
  /** An options object has a key log-core does not know (the message names the nearest valid one). */
  UNKNOWN_OPTION: 'PACTOWN_CORE_UNKNOWN_OPTION',
  /** A level is neither a known name nor a number. */
  INVALID_LEVEL: 'PACTOWN_CORE_INVALID_LEVEL',
  /** A function was given an argument of the wrong kind (a callback, a handler, a logger name, a chunk). */
  INVALID_ARGUMENT: 'PACTOWN_CORE_INVALID_ARGUMENT',
  /** The installed pino lacks what log-core builds on. */
  UNSUPPORTED_PINO: 'PACTOWN_CORE_UNSUPPORTED_PINO',
  /** A record reached a closed handler (counted in `errors`). */
  HANDLER_CLOSED: 'PACTOWN_CORE_HANDLER_CLOSED',
  /** A stream handler's stream is closed or was destroyed with lines held (counted). */
  STREAM_CLOSED: 'PACTOWN_CORE_STREAM_CLOSED',
  /** A file handler is degraded and waits before trying its file again (records counted lost). */
  FILE_BACKOFF: 'PACTOWN_CORE_FILE_BACKOFF',
  /** A file handler's disk does not keep up: `maxPendingBytes` already wait to be written, so the record is dropped (counted lost). */
  FILE_BEHIND: 'PACTOWN_CORE_FILE_BEHIND',
  /** A write failed with something that was not an Error. */
  WRITE_FAILED: 'PACTOWN_CORE_WRITE_FAILED',
} as const);

/** One of {@link CODES}. */
export type CoreErrorCode = (typeof CODES)[keyof typeof CODES];

/** An error with a stable `code` (a `TypeError` unless told otherwise). */
export function coreError(
  code: CoreErrorCode,
  message: string,
  Kind: ErrorConstructor | TypeErrorConstructor = TypeError,
): Error & { code: CoreErrorCode } {
  const error = new Kind(message) as Error & { code: CoreErrorCode };
  error.code = code;
  return error;
}
