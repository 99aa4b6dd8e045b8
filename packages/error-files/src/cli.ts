/** The `pactown-errors` executable. */
import { main } from './cli/main.js';

/** For `tail -f`, which runs until interrupted: an interrupt then ends it with exit code 0. */
function untilInterrupted(): AbortSignal {
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  return stop.signal;
}

// A reader that stops early (`pactown-errors list | head -1`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(
  process.argv.slice(2),
  {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
  untilInterrupted,
).then((code) => {
  process.exitCode = code;
});
