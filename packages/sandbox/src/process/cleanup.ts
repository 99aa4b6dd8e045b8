/**
 * Stops the services we started when our own process exits, including on
 * SIGINT/SIGTERM (through signal-exit, which re-raises the signal after).
 * An exit handler cannot wait, so it sends SIGTERM to each group and leaves
 * a small detached reaper that sends SIGKILL after the grace period.
 *
 * With log-core's `handleExit()` installed, a signal first runs log-core's
 * exit tasks; ours stops every group gracefully (SIGTERM, wait, SIGKILL
 * after the grace period) before log-core flushes and re-raises the signal.
 */
import { spawn } from 'node:child_process';
import * as core from '@pactown/log-core';
import { onExit } from 'signal-exit';
import { signalGroup, sleep, waitGroupGone } from './group.js';

interface Tracked {
  pgid: number;
  graceMs: number;
  /** Settles when the service's last output has been delivered. */
  ended: Promise<unknown> | undefined;
  /** The service's own graceful stop, where signalling the group is not enough (a bwrap sandbox). */
  stop: (() => Promise<unknown>) | undefined;
}

const tracked = new Set<Tracked>();
let installed = false;
let exiting = false;

/** Whether our process is stopping its services because it is exiting (their end is then ours, not a death). */
export function stoppingForExit(): boolean {
  return exiting;
}

function stopAll(): void {
  const alive: Tracked[] = [];
  for (const entry of tracked) {
    try {
      if (signalGroup(entry.pgid, 'SIGTERM')) alive.push(entry);
    } catch {
      // Exit path: nothing sensible to do with an error here.
    }
  }
  tracked.clear();
  if (alive.length === 0) return;
  const grace = Math.max(...alive.map((e) => e.graceMs)) / 1000;
  const targets = alive.map((e) => `-${e.pgid}`).join(' ');
  try {
    spawn('/bin/sh', ['-c', `sleep ${grace}; kill -KILL ${targets} 2>/dev/null`], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  } catch {
    // Best effort: SIGTERM was sent.
  }
}

/** Registers a group to stop on exit; returns the function that unregisters it. */
export function trackGroup(
  pgid: number,
  graceMs: number,
  ended?: Promise<unknown>,
  stop?: () => Promise<unknown>,
): () => void {
  if (!installed) {
    installed = true;
    onExit(() => stopAll(), { alwaysLast: true });
    // An older log-core has no exit registry: the exit hook alone then stops the groups.
    const register = (core as { registerExitTask?: (task: (signal: NodeJS.Signals) => unknown) => () => void })
      .registerExitTask;
    if (typeof register === 'function') register(() => stopGracefully());
  }
  const entry: Tracked = { pgid, graceMs, ended, stop };
  tracked.add(entry);
  return () => {
    tracked.delete(entry);
  };
}

/** SIGTERM to every tracked group, then SIGKILL to what is left after its grace period; resolves when all are gone. */
async function stopGracefully(): Promise<void> {
  exiting = true;
  const entries = [...tracked];
  await Promise.all(
    entries.map(async (entry) => {
      try {
        if (entry.stop !== undefined) {
          // SIGTERM to bwrap itself would end its namespace at once: the service stops its own way.
          await Promise.race([entry.stop(), sleep(entry.graceMs + 3_000)]);
        } else if (signalGroup(entry.pgid, 'SIGTERM') && !(await waitGroupGone(entry.pgid, entry.graceMs))) {
          signalGroup(entry.pgid, 'SIGKILL');
          await waitGroupGone(entry.pgid, 2_000);
        }
        // Its last lines reach the handlers before they are flushed.
        if (entry.ended !== undefined) await Promise.race([entry.ended, sleep(1_000)]);
      } catch {
        // Exit path: the exit hook still sends what it can.
      }
      tracked.delete(entry);
    }),
  );
}

/** Stops every tracked group now (what happens at exit), for callers that exit in other ways. */
export function stopTrackedGroups(): void {
  stopAll();
}
