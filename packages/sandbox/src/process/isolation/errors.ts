/**
 * Error codes of the isolation layer. The package's `CODES` table takes
 * these in; callers branch on `code`, never on the message.
 */
export const ISOLATION_CODES = Object.freeze({
  /** `isolation: 'namespaces'` was asked for explicitly and bwrap cannot create namespaces here. */
  ISOLATION_UNAVAILABLE: 'PACTOWN_SANDBOX_ISOLATION_UNAVAILABLE',
  /** Every uid of the configured range belongs to a live service. */
  UID_EXHAUSTED: 'PACTOWN_SANDBOX_UID_EXHAUSTED',
  /** A folder was refused for an ownership change (shared, outside the sandbox root, a symlink, not made by us). */
  OWNERSHIP_REFUSED: 'PACTOWN_SANDBOX_OWNERSHIP_REFUSED',
  /** A path given to the sandbox (cwd, read-only path) is unusable for a bind mount. */
  BAD_MOUNT: 'PACTOWN_SANDBOX_BAD_MOUNT',
} as const);

export type IsolationCode = (typeof ISOLATION_CODES)[keyof typeof ISOLATION_CODES];

/** A failure of the isolation layer, with a stable `code` and a message that says what to do. */
export class IsolationError extends Error {
  override name = 'IsolationError';
  readonly code: IsolationCode;

  constructor(code: IsolationCode, message: string, options?: { cause?: unknown }) {
    super(`[@pactown/sandbox] ${message}`, options);
    this.code = code;
  }
}
