/**
 * The stop sequence: SIGTERM to the whole group, SIGKILL to what is left
 * after the grace period, and return only when no process of the group is
 * left (grandchildren included).
 */
import { groupAlive, groupMembers, signalGroup, sleep, waitGroupGone } from './group.js';
import type { ServiceRecords } from './service-records.js';

export interface StopSequenceInput {
  pgid: number;
  graceMs: number;
  log: ServiceRecords;
  /** Settles when the group leader has exited. */
  leaderEnded: Promise<unknown>;
}

export interface StopOutcome {
  /** SIGKILL was needed. */
  escalated: boolean;
  /** Processes of the group were still alive after SIGKILL (a process in uninterruptible sleep). */
  leftovers: boolean;
  /** Processes of the group that got SIGTERM. */
  terminated: number;
  /** Processes still alive after the grace period, ended by SIGKILL. */
  killed: number;
}

// After SIGKILL the kernel needs a moment; waiting longer would only hide a stuck process.
const AFTER_KILL_MS = 2_000;

export async function stopSequence(input: StopSequenceInput): Promise<StopOutcome> {
  const { pgid, graceMs, log, leaderEnded } = input;
  const id = log.serviceId;
  log.system('info', `Stopping service ${id}`);
  const terminated = groupMembers(pgid)?.length ?? 0;
  if (!signalGroup(pgid, 'SIGTERM')) {
    await leaderEnded;
    log.system('info', `Service ${id} stopped`);
    return { escalated: false, leftovers: false, terminated: 0, killed: 0 };
  }
  log.system('info', `Sent SIGTERM to process group ${pgid}`);
  const deadline = Date.now() + graceMs;
  const graceOver = new AbortController();
  await Promise.race([leaderEnded, sleep(graceMs, graceOver.signal)]);
  graceOver.abort();
  let gone = await waitGroupGone(pgid, Math.max(0, deadline - Date.now()));
  let escalated = false;
  let killed = 0;
  if (!gone) {
    escalated = true;
    killed = groupMembers(pgid)?.length ?? 1;
    log.system(
      'warn',
      `Process group ${pgid} still running after ${graceMs}ms: sent SIGKILL (${killed} process${killed === 1 ? '' : 'es'})`,
    );
    signalGroup(pgid, 'SIGKILL');
    await Promise.race([leaderEnded, sleep(AFTER_KILL_MS)]);
    gone = await waitGroupGone(pgid, AFTER_KILL_MS);
  }
  if (!gone && groupAlive(pgid)) {
    log.system('error', `Process group ${pgid} still has processes after SIGKILL`);
    return { escalated, leftovers: true, terminated, killed };
  }
  log.system('info', `Service ${id} stopped`);
  return { escalated, leftovers: false, terminated, killed };
}
