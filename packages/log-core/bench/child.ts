// Runs one contender's measurement in a fresh process of its own and returns its report: the one
// JSON line it writes on stdout (the harness's report protocol, @pactown/bench/children). The
// child is tracked, so it is killed if the harness exits, throws or is interrupted; a child that
// exits without a complete report, or with a status other than 0, is an error naming it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { reportOf, stopChild, track } from '@pactown/bench';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** `script`: a file of this folder (`masking-one.ts`), run with tsx as the benchmark itself is. */
export async function runChild<T>(script: string, args: string[], what: string): Promise<T> {
  const file = fileURLToPath(new URL(`./${script}`, import.meta.url));
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  try {
    const exited = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    const report = (await reportOf(child, what)) as T;
    const status = child.exitCode ?? child.signalCode ?? (await exited);
    if (status !== 0) throw new Error(`${what} exited (${status}) after reporting`);
    return report;
  } finally {
    await stopChild(child);
  }
}
