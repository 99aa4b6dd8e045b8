import { CODES } from '../errors.js';

/** An installer (venv, pip, npm) failed; carries the installer's own last error lines. */
export class DependencyError extends Error {
  override name = 'DependencyError';
  readonly code = CODES.DEPENDENCY_FAILED;
  /** The command that failed, as run. */
  readonly command: string;
  /** The end of the installer's stderr (and stdout, which npm and pip also use for errors). */
  readonly output: string;
  readonly exitCode: number | null;

  constructor(command: string, exitCode: number | null, output: string, options?: { cause?: unknown }) {
    const last = output.trim().split('\n').filter(Boolean).at(-1) ?? 'no output';
    super(`[@pactown/sandbox] dependency installation failed (${command}, exit code ${exitCode}): ${last}`, options);
    this.command = command;
    this.output = output;
    this.exitCode = exitCode;
  }
}
