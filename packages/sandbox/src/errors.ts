/**
 * Every error this package throws or reports carries one of these codes;
 * callers branch on `code`, never on the message or the class. The README's
 * error-code table is checked against this object by a test.
 */
import { ISOLATION_CODES } from './process/isolation/errors.js';

export const CODES = Object.freeze({
  /** An option has the wrong kind or value (a `TypeError`). */
  INVALID_OPTION: 'PACTOWN_SANDBOX_INVALID_OPTION',
  /** An options object has a key no option has (a `TypeError`, with a did-you-mean). */
  UNKNOWN_OPTION: 'PACTOWN_SANDBOX_UNKNOWN_OPTION',
  /** A service id breaks the shared rule (a `TypeError`). */
  INVALID_ID: 'PACTOWN_SANDBOX_INVALID_ID',
  /** A command line that cannot be run: empty, or an unclosed quote (a `TypeError`). */
  INVALID_COMMAND: 'PACTOWN_SANDBOX_INVALID_COMMAND',
  /** A write or folder operation would have left the sandbox (`SandboxPathError`). */
  UNSAFE_PATH: 'PACTOWN_SANDBOX_UNSAFE_PATH',
  /** An installer (venv, pip, npm) failed (`DependencyError`). */
  DEPENDENCY_FAILED: 'PACTOWN_SANDBOX_DEPENDENCY_FAILED',
  /** A cached environment failed verification right after it was built. */
  CACHE_BROKEN: 'PACTOWN_SANDBOX_CACHE_BROKEN',
  /** `runFromContent` on a runner after `close()`. */
  RUNNER_CLOSED: 'PACTOWN_SANDBOX_RUNNER_CLOSED',
  ...ISOLATION_CODES,
} as const);

export type SandboxErrorCode = (typeof CODES)[keyof typeof CODES];

/** An error of the given class with a stable `code` and the package prefix on its message. */
export function sandboxError<E extends Error>(
  Kind: new (message: string, options?: { cause?: unknown }) => E,
  code: SandboxErrorCode,
  message: string,
  options?: { cause?: unknown },
): E & { code: SandboxErrorCode } {
  const error = new Kind(`[@pactown/sandbox] ${message}`, options) as E & { code: SandboxErrorCode };
  error.code = code;
  return error;
}
