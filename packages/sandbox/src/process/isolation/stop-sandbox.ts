/**
 * The stop sequence of a sandboxed service: SIGTERM to every process of its
 * PID namespace, SIGKILL to the namespace's init after the grace period (the
 * kernel then kills every member), and return only once no member is left.
 * bwrap's own group is signalled too, so a sandbox that never got as far as
 * its namespace also ends.
 */
import {
  type ProcInfo,
  killNamespace,
  listProcesses,
  pidNamespaceOf,
  sandboxInit,
  terminateNamespace,
} from './tree.js';

interface StopLog {
  readonly serviceId: string;
  system(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface SandboxStopInput {
  /** Host PID of bwrap (the spawned process, leader of its own group). */
  bwrapPid: number;
  graceMs: number;
  log: StopLog;
  /** Settles when bwrap has exited. */
  leaderEnded: Promise<unknown>;
}

export interface SandboxStopOutcome {
  /** Processes that got SIGTERM. */
  terminated: ProcInfo[];
  /** Processes still alive after the grace period, ended by SIGKILL (the stop report lists them). */
  killed: ProcInfo[];
  /** Members were still there after SIGKILL (a process in uninterruptible sleep). */
  leftovers: boolean;
}

const AFTER_KILL_MS = 2_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Members of a namespace given by its id (the init may already be gone). */
export function membersOf(namespace: string): ProcInfo[] {
  return listProcesses().filter((proc) => pidNamespaceOf(proc.pid) === namespace);
}

/** Polls until no process of the namespace is left or `ms` passed; `true` when none is left. */
export async function waitNamespaceGone(namespace: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let interval = 5;
  while (membersOf(namespace).length > 0) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await delay(Math.min(interval, left));
    interval = Math.min(interval * 1.5, 50);
  }
  return true;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export async function stopSandbox(input: SandboxStopInput): Promise<SandboxStopOutcome> {
  const { bwrapPid, graceMs, log, leaderEnded } = input;
  const id = log.serviceId;
  log.system('info', `Stopping service ${id}`);
  const init = sandboxInit(bwrapPid);
  const namespace = init === null ? null : pidNamespaceOf(init);
  if (init === null || namespace === null) {
    // No namespace (yet, or any more): end bwrap itself.
    signalGroup(bwrapPid, 'SIGTERM');
    await Promise.race([leaderEnded, delay(graceMs)]);
    signalGroup(bwrapPid, 'SIGKILL');
    await leaderEnded;
    log.system('info', `Service ${id} stopped`);
    return { terminated: [], killed: [], leftovers: false };
  }
  const terminated = terminateNamespace(init);
  log.system(
    'info',
    `Sent SIGTERM to ${terminated.length} process${terminated.length === 1 ? '' : 'es'} of the sandbox`,
  );
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    leaderEnded.then(() => {
      ended = true;
    }),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
  ]);
  clearTimeout(timer);
  let killed: ProcInfo[] = [];
  // Once bwrap has ended, its init is gone and the kernel is already ending the rest.
  if (!ended || !(await waitNamespaceGone(namespace, AFTER_KILL_MS))) {
    killed = killNamespace(init);
    if (killed.length > 0) {
      log.system(
        'warn',
        `Sandbox of ${id} still running after ${graceMs}ms: sent SIGKILL to ${killed.map((p) => `${p.name}[${p.pid}]`).join(', ')}`,
      );
    }
  }
  signalGroup(bwrapPid, 'SIGKILL');
  const gone = await waitNamespaceGone(namespace, AFTER_KILL_MS);
  await Promise.race([leaderEnded, delay(AFTER_KILL_MS)]);
  if (!gone) {
    log.system('error', `Sandbox of ${id} still has processes after SIGKILL`);
    return { terminated, killed, leftovers: true };
  }
  log.system('info', `Service ${id} stopped`);
  return { terminated, killed, leftovers: false };
}
