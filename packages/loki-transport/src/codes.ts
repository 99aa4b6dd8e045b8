/**
 * The stable codes of every error this package throws (`err.code`) and of
 * every warning it reports (each warning message starts with its code).
 * Branch on these, not on message text.
 */
export const CODES = Object.freeze({
  /** An option has a bad value (a `TypeError`). */
  INVALID_OPTION: 'PACTOWN_LOKI_INVALID_OPTION',
  /** An option name is not one of this package's (a `TypeError`, with the nearest valid name). */
  UNKNOWN_OPTION: 'PACTOWN_LOKI_UNKNOWN_OPTION',
  /** `format: 'pattern'` needs `@pactown/log-core`, which is not installed (a `TypeError`). */
  PATTERN_NEEDS_CORE: 'PACTOWN_LOKI_PATTERN_NEEDS_CORE',
  /** The queue or the spool reached its bound; batches are dropped (counted `queue_full`). */
  QUEUE_FULL: 'PACTOWN_LOKI_QUEUE_FULL',
  /** Loki refused a batch (4xx other than 429; counted `rejected`). */
  REJECTED: 'PACTOWN_LOKI_REJECTED',
  /** A batch failed `maxRetries + 1` times, with a finite `maxRetries` (counted `retries_exhausted`). */
  RETRIES_EXHAUSTED: 'PACTOWN_LOKI_RETRIES_EXHAUSTED',
  /** A request could not be made at all, e.g. a header Node refuses (counted `rejected`). */
  REQUEST_FAILED: 'PACTOWN_LOKI_REQUEST_FAILED',
  /** A record could not be turned into a line. */
  BAD_RECORD: 'PACTOWN_LOKI_BAD_RECORD',
  /** The spool folder cannot be created or read: the client goes on in memory (counted in `spoolErrors`). */
  SPOOL_UNAVAILABLE: 'PACTOWN_LOKI_SPOOL_UNAVAILABLE',
  /** A batch could not be written to the spool (a full disk): it stays in memory (counted in `spoolErrors`). */
  SPOOL_WRITE: 'PACTOWN_LOKI_SPOOL_WRITE',
  /** A spooled batch could not be read back (counted `rejected`). */
  SPOOL_READ: 'PACTOWN_LOKI_SPOOL_READ',
  /** At close or exit some lines were not delivered: lost (counted `closed`) or kept in the spool. */
  UNDELIVERED: 'PACTOWN_LOKI_UNDELIVERED',
  /** A bad command line of `pactown-loki` (exit status 2). */
  USAGE: 'PACTOWN_LOKI_USAGE',
} as const);

/** One of the codes in {@link CODES}. */
export type LokiErrorCode = (typeof CODES)[keyof typeof CODES];

/** A `TypeError` carrying one of the package's codes. */
export function codedTypeError(code: LokiErrorCode, message: string): TypeError & { code: LokiErrorCode } {
  return Object.assign(new TypeError(message), { code });
}
