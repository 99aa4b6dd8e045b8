import type { RunnerApp } from './app.js';

/**
 * SIGTERM/SIGINT: graceful shutdown (stop runs and services, flush logs),
 * then exit. A second signal exits at once; a stuck shutdown is cut off after
 * `graceMs` (`PACTOWN_SHUTDOWN_GRACE_MS`), and what the logs still held is
 * then said on stderr by their own exit handlers.
 */
export function installSignalHandlers(app: RunnerApp, graceMs = 30_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(130);
    }
    stopping = true;
    const timer = setTimeout(() => {
      process.stderr.write(
        `[@pactown/example-runner] shutdown did not finish within ${graceMs} ms (PACTOWN_SHUTDOWN_GRACE_MS); exiting\n`,
      );
      process.exit(1);
    }, graceMs);
    timer.unref();
    app.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
