import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pidAlive } from '@pactown/test-helpers';
import { groupMembers } from '../../src/process/group.js';
import { fixture } from './helpers.js';

const PARENT = fileURLToPath(new URL('../fixtures/process/exit-hook-parent.ts', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

interface Started {
  pgid: number;
  pids: number[];
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  kill: (signal: NodeJS.Signals) => void;
}

/** Starts the parent and resolves once its service tree (leader and child, one group) is up. */
function startParent(term: 'obey' | 'ignore', graceMs: number, mode: 'wait' | 'stop-then-sigkill'): Promise<Started> {
  const parent = spawn(
    process.execPath,
    ['--import', 'tsx', PARENT, fixture('term_tree.py'), term, String(graceMs), mode],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: PACKAGE_DIR,
    },
  );
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    parent.on('exit', (c, s) => resolve([c, s])),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    parent.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /service (\d+) (\d+) (\d+)/.exec(out);
      if (m) resolve({ pgid: Number(m[1]), pids: [Number(m[2]), Number(m[3])], exited, kill: (s) => parent.kill(s) });
    });
    void exited.then(([code, signal]) =>
      reject(new Error(`parent ended before its service was up: ${code ?? signal}\n${out}`)),
    );
  });
}

/** Polls /proc until no live process of the group is left, or the deadline passes. */
async function groupGone(pgid: number, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (groupMembers(pgid)!.length === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Kills what is left of the group, and the reaper the exit hook left for it (it would fire long after the test). */
function cleanUp(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (cmdline.includes(`kill -KILL -${pgid} `) || cmdline.endsWith(`kill -KILL -${pgid} 2>/dev/null\0`)) {
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {
        // ended meanwhile
      }
    }
  }
}

describe.skipIf(process.platform !== 'linux')('the exit hook stops whole service groups', () => {
  for (const signal of ['SIGINT', 'SIGHUP'] as const) {
    it(`${signal} to our process: the service and its child are gone, and the signal still ends us`, async () => {
      // A grace period longer than the deadline below: only the SIGTERM to the group can pass in time.
      const started = await startParent('obey', 30_000, 'wait');
      try {
        expect(started.pids[0]).toBe(started.pgid);
        expect(started.pids.every(pidAlive)).toBe(true);
        started.kill(signal);
        const [code, got] = await started.exited;
        expect([code, got]).toEqual([null, signal]);
        expect(await groupGone(started.pgid)).toBe(true);
      } finally {
        cleanUp(started.pgid);
      }
    });
  }

  it('the detached reaper sends SIGKILL to a group that ignores SIGTERM, after the grace period', async () => {
    const started = await startParent('ignore', 300, 'wait');
    try {
      started.kill('SIGINT');
      await started.exited;
      // SIGTERM reached both and was ignored; only the reaper, left behind by our exit, can end them.
      expect(await groupGone(started.pgid)).toBe(true);
    } finally {
      cleanUp(started.pgid);
    }
  });

  it('stopTrackedGroups() stops the groups for a program that leaves without its exit hook', async () => {
    const started = await startParent('obey', 30_000, 'stop-then-sigkill');
    try {
      const [, signal] = await started.exited;
      expect(signal).toBe('SIGKILL');
      expect(await groupGone(started.pgid)).toBe(true);
    } finally {
      cleanUp(started.pgid);
    }
  });
});
