import { optionError } from '@pactown/options';

/** Every error code the receiver throws or reports, stable across releases. */
export const CODES = Object.freeze({
  /** An unknown key in an options object (the message names the nearest valid one). */
  UNKNOWN_OPTION: 'PACTOWN_RECEIVER_UNKNOWN_OPTION',
  /** An option with a value of the wrong kind or out of range. */
  INVALID_OPTION: 'PACTOWN_RECEIVER_INVALID_OPTION',
  /** A bad argument to a method (`failNext`, `setLatency`, `down`, `query`). */
  INVALID_ARGUMENT: 'PACTOWN_RECEIVER_INVALID_ARGUMENT',
  /** `down()` or `up()` after `close()`. */
  CLOSED: 'PACTOWN_RECEIVER_CLOSED',
  /** `up()` could not listen on its port again (another process took it). */
  PORT_TAKEN: 'PACTOWN_RECEIVER_PORT_TAKEN',
  /** `waitForEntries()` timed out. */
  WAIT_TIMEOUT: 'PACTOWN_RECEIVER_WAIT_TIMEOUT',
  /** Loki's answer to a request, as an error (`LokiHttpError`, e.g. a LogQL parse error from `query()`). */
  LOKI_ANSWER: 'PACTOWN_RECEIVER_LOKI_ANSWER',
  /** A command-line usage error of `pactown-loki-receiver` (exit code 2). */
  USAGE: 'PACTOWN_RECEIVER_USAGE',
} as const);

/** One of {@link CODES}. */
export type ReceiverErrorCode = (typeof CODES)[keyof typeof CODES];

const PKG = '@pactown/loki-receiver';

/** An answer the receiver sends instead of success: an HTTP status and Loki's message. */
export class LokiHttpError extends Error {
  override name = 'LokiHttpError';
  readonly code = CODES.LOKI_ANSWER;
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A problem using the receiver itself (not a Loki answer). */
export class LokiReceiverError extends Error {
  override name = 'LokiReceiverError';
  constructor(
    readonly code: ReceiverErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`[${PKG}] ${message}`, options);
  }
}

/** A coded TypeError for a bad method argument. */
export function badArgument(message: string): TypeError & { code: string } {
  return optionError(PKG, CODES.INVALID_ARGUMENT, message);
}

/** Loki's LogQL parse error text: `parse error at line 1, col N: <why>`. */
export function parseError(why: string, col?: number): LokiHttpError {
  const where = col === undefined ? ' ' : ` at line 1, col ${col}`;
  return new LokiHttpError(400, `parse error${where}: ${why}`);
}
