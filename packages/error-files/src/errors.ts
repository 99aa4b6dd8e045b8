/** The one error class of this package. */

/** A file operation on an error file failed; `path` names the file, `cause` the system error. */
export class ErrorFileError extends Error {
  override readonly name = 'ErrorFileError';
  /** The file or folder the operation was about. */
  readonly path: string;
  /** The system error code (`'ENOSPC'`, `'EACCES'`, `'ENOENT'`, ...), when there is one. */
  readonly code: string | undefined;

  constructor(message: string, options: { path: string; cause?: unknown; code?: string }) {
    super(`[@pactown/error-files] ${message}`, { cause: options.cause });
    this.path = options.path;
    this.code = options.code ?? codeOf(options.cause);
  }
}

/** The `code` of a Node system error, if any. */
export function codeOf(error: unknown): string | undefined {
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
