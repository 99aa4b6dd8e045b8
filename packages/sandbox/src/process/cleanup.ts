/**
 * Stops the services we started when our own process exits, including on
 * SIGINT/SIGTERM (through signal-exit, which re-raises the signal after).
 * An exit handler cannot wait, so it sends SIGTERM to each group and leaves
 * a small detached reaper that sends SIGKILL after the grace period.
 */
import { spawn } from 'node:child_process';
import { onExit } from 'signal-exit';
import { signalGroup } from './group.js';

interface Tracked {
  pgid: number;
  graceMs: number;
}

const tracked = new Set<Tracked>();
let installed = false;

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
export function trackGroup(pgid: number, graceMs: number): () => void {
  if (!installed) {
    installed = true;
    onExit(() => stopAll(), { alwaysLast: true });
  }
  const entry = { pgid, graceMs };
  tracked.add(entry);
  return () => {
    tracked.delete(entry);
  };
}

/** Stops every tracked group now (what happens at exit), for callers that exit in other ways. */
export function stopTrackedGroups(): void {
  stopAll();
}
