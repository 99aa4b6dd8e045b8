/** log-core's own diagnostics on stderr (a failed handler, dropped lines), each prefixed with the package. */

/** Writes a diagnostic line on stderr without ever throwing. */
export function warnStderr(message: string): void {
  try {
    process.stderr.write(`[@pactown/log-core] ${message}\n`);
  } catch {
    // stderr itself is gone: nothing left to tell.
  }
}
