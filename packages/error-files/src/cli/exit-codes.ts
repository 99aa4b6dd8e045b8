/** Exit codes of `pactown-errors`; scripts can rely on them. */
export const EXIT = {
  /** Done (also: `list` found no files). */
  OK: 0,
  /** An unexpected failure (I/O error, unreadable file). */
  FAILURE: 1,
  /** Bad command line: unknown command or option, missing or invalid value. */
  USAGE: 2,
  /** The log folder does not exist. */
  NO_DIR: 3,
  /** The service (or the requested history entry, or `sandbox.log`) has no file. */
  NOT_FOUND: 4,
} as const;

/** A failure that ends the CLI with a given exit code and message. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** `7d`, `12h`, `30m`, `45s`, `500ms`, `2w` to milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m)
    throw new CliError(
      EXIT.USAGE,
      `Invalid duration ${JSON.stringify(text)}: use a number and a unit (ms, s, m, h, d, w), e.g. 7d.`,
    );
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
