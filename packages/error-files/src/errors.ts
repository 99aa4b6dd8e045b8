/** The error codes of this package and its one error class. */

/**
 * Every code this package throws or rejects with, as `error.code`. Callers
 * branch on these, never on message text. The README lists them.
 */
export const CODES = Object.freeze({
  /** An options object has a key this package does not know (`TypeError`; the message names the nearest valid one). */
  UNKNOWN_OPTION: 'PACTOWN_ERRORS_UNKNOWN_OPTION',
  /** An option has a value of the wrong kind or out of range (`TypeError`). */
  INVALID_OPTION: 'PACTOWN_ERRORS_INVALID_OPTION',
  /** A service id breaks the service id rule (`TypeError`, before any file operation). */
  INVALID_ID: 'PACTOWN_ERRORS_INVALID_ID',
  /** The error file (or history entry) to read does not exist. */
  NOT_FOUND: 'PACTOWN_ERRORS_NOT_FOUND',
  /** An error file could not be read, or is a link, a FIFO or a folder. */
  READ_FAILED: 'PACTOWN_ERRORS_READ_FAILED',
  /** Writing an error file failed; the previous file and history are as they were. */
  WRITE_FAILED: 'PACTOWN_ERRORS_WRITE_FAILED',
  /** The log folder could not be listed. */
  LIST_FAILED: 'PACTOWN_ERRORS_LIST_FAILED',
  /** The log folder could not be created or used (`systemCode` says why). */
  LOG_DIR_FAILED: 'PACTOWN_ERRORS_LOG_DIR_FAILED',
  /** The log folder was refused: not a folder, a link owned by another user, or another user's folder that others can write to. */
  UNSAFE_LOG_DIR: 'PACTOWN_ERRORS_UNSAFE_LOG_DIR',
} as const);

/** One of {@link CODES}. */
export type ErrorFilesCode = (typeof CODES)[keyof typeof CODES];

/** A file operation on an error file failed; `path` names the file, `cause` the system error. */
export class ErrorFileError extends Error {
  override readonly name = 'ErrorFileError';
  /** What went wrong, one of {@link CODES}. */
  readonly code: ErrorFilesCode;
  /** The file or folder the operation was about. */
  readonly path: string;
  /** The system error code (`'ENOSPC'`, `'EACCES'`, `'ENOENT'`, ...), when there is one. */
  readonly systemCode: string | undefined;

  constructor(message: string, options: { code: ErrorFilesCode; path: string; cause?: unknown; systemCode?: string }) {
    super(`[@pactown/error-files] ${message}`, { cause: options.cause });
    this.code = options.code;
    this.path = options.path;
    this.systemCode = options.systemCode ?? codeOf(options.cause);
  }
}

/** A `TypeError` with one of {@link CODES}. */
export function codedTypeError(code: ErrorFilesCode, message: string): TypeError & { code: ErrorFilesCode } {
  const error = new TypeError(`[@pactown/error-files] ${message}`) as TypeError & { code: ErrorFilesCode };
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true });
  return error;
}

/** The system error code of an error: `systemCode` of ours, `code` of a Node system error. */
export function codeOf(error: unknown): string | undefined {
  if (error instanceof ErrorFileError) return error.systemCode;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** One readable phrase for a system error: `ENOSPC (no space left on device)`. */
export function describeCause(error: unknown): string {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const reason = /^[A-Z]+: ([^,]+)/.exec(message)?.[1];
  if (code && reason) return `${code} (${reason})`;
  return code ? `${code}: ${message}` : message;
}
