import { CODES } from '../errors.js';

/** A write or a folder operation that would have left the sandbox. */
export class SandboxPathError extends Error {
  override name = 'SandboxPathError';
  readonly code = CODES.UNSAFE_PATH;
  /** The relative path that was refused. */
  readonly path: string;

  constructor(path: string, reason: string, options?: { cause?: unknown }) {
    super(`[@pactown/sandbox] refused to write ${JSON.stringify(path)}: ${reason}`, options);
    this.path = path;
  }
}
