// Child processes of a benchmark (contenders, sinks) and the one-line report protocol between
// a contender and the harness. Every tracked child is killed when the harness exits, whether it
// ends normally, throws, or is stopped by SIGINT/SIGTERM/SIGHUP: no sink outlives its run.

const live = new Set();
let installed = false;

function killLive(signal = 'SIGKILL') {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        // A child started in a group of its own (detached) is killed with its group.
        if (child.bench_group) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {}
    }
  }
  live.clear();
}

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', () => killLive());
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      killLive();
      // The conventional exit status of a process ended by a signal.
      process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 }[signal] ?? 0));
    });
  }
}

/**
 * Tracks a child so it is killed when this process exits or is stopped. `group`: the child was
 * spawned with `detached: true` and its whole process group is killed. Returns the child.
 * @template {import('node:child_process').ChildProcess} C
 * @param {C} child
 * @param {{ group?: boolean }} [options]
 * @returns {C}
 */
export function track(child, { group = false } = {}) {
  install();
  if (group) child.bench_group = true;
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** How many tracked children are still running. */
export function liveChildren() {
  return [...live].filter((c) => c.exitCode === null && c.signalCode === null).length;
}

/** Kills a child (SIGKILL) and waits until it has exited; at once if it already has. */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * The first line a child writes to stdout, parsed as JSON: a contender's report. The report
 * counts once it is complete (up to its newline), whenever the child exits: a contender that
 * reports and then exits cleanly is the normal case. It is an error only when the child's
 * stdout closes (the child exited, and everything it wrote was read) without a complete line.
 * @param {import('node:child_process').ChildProcess} child
 * @param {string} what the child's name, for the error
 * @returns {Promise<any>}
 */
export function reportOf(child, what) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let done = false;
    const stdout = child.stdout;
    if (!stdout) {
      reject(new Error(`${what} has no stdout to report on`));
      return;
    }
    stdout.setEncoding('utf8');
    const onData = (d) => {
      chunks.push(d);
      if (!d.includes('\n')) return;
      const text = chunks.join('');
      const line = text.slice(0, text.indexOf('\n'));
      done = true;
      stdout.off('data', onData);
      // Whatever follows is not read by the harness: keep the pipe flowing so the child never blocks.
      stdout.resume();
      try {
        resolve(JSON.parse(line));
      } catch (e) {
        reject(new Error(`${what} reported a line that is not JSON: ${line.slice(0, 200)} (${e.message})`));
      }
    };
    stdout.on('data', onData);
    child.once('error', (e) => {
      if (!done) reject(new Error(`${what} could not run: ${e.message}`));
    });
    // 'close' comes after 'exit' and after stdout has been read to its end.
    child.once('close', (code, signal) => {
      if (!done) {
        done = true;
        const partial = chunks.join('');
        reject(
          new Error(
            `${what} exited (${code ?? signal}) before reporting${partial ? `; it wrote ${partial.length} characters without a newline` : ''}`,
          ),
        );
      }
    });
  });
}

/**
 * In a contender: writes the report as one JSON line and resolves once it has been handed to the
 * pipe, so the process may exit right after without losing it.
 * @param {unknown} report
 * @returns {Promise<void>}
 */
export function writeReport(report) {
  return new Promise((resolve, reject) => {
    process.stdout.write(`${JSON.stringify(report)}\n`, (e) => (e ? reject(e) : resolve()));
  });
}
