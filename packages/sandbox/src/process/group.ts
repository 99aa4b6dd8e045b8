import { readdirSync } from 'node:fs';
import { readProcText } from './proc-file.js';
/**
 * Process-group signalling. A service runs as the leader of its own group,
 * so one `kill(-pgid)` reaches it and every process it started.
 */

/** Sends a signal to a whole group; `false` when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/**
 * Live (non-zombie) members of a group, read from /proc; `null` where /proc
 * is unavailable. Zombies count as gone: an init that does not reap would
 * otherwise keep a stopped group "alive" forever.
 */
export function groupMembers(pgid: number): number[] | null {
  if (process.platform !== 'linux') return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const members: number[] = [];
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    let stat: string;
    try {
      stat = readProcText(`/proc/${entry}/stat`);
    } catch {
      continue; // exited while we looked
    }
    // Fields after the command name (which may contain spaces): state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
    if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
  }
  return members;
}

/**
 * Whether any process of the group is still alive. A live leader answers it
 * from its own /proc entry; only when the leader is gone (or a zombie) are
 * all of /proc's processes read for another member.
 */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (leaderAlive(pgid)) return true;
  const members = groupMembers(pgid);
  return members === null || members.length > 0;
}

/** The group's leader is alive (not a zombie) and still in its group: its /proc entry says so. */
function leaderAlive(pgid: number): boolean {
  if (process.platform !== 'linux') return false;
  let stat: string;
  try {
    stat = readProcText(`/proc/${pgid}/stat`);
  } catch {
    return false;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3);
  return fields[0] !== 'Z' && Number(fields[2]) === pgid;
}

/** Cancellable sleep: resolves early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Polls until the group is gone or `ms` passed; resolves `true` when gone. */
export async function waitGroupGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  let interval = 5;
  while (groupAlive(pgid)) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await sleep(Math.min(interval, left));
    interval = Math.min(interval * 1.5, 50);
  }
  return true;
}
