import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ChildResult, runChild, tempDir } from '@pactown/test-helpers';
import { expect } from 'vitest';
import { type LaunchPlan, buildLaunch } from '../../src/process/isolation/launch.js';
import { DEFAULT_LIMITS, type NormalizedLimits } from '../../src/process/isolation/limits.js';
import { createServiceDir, handOverServiceDir } from '../../src/process/isolation/ownership.js';
import { probeBwrap } from '../../src/process/isolation/probe.js';
import { UidPool, type UidLease } from '../../src/process/isolation/uid-pool.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/isolation/', import.meta.url));

/** bwrap works here; the reason printed when it does not (a test may skip only then). */
export const probe = probeBwrap();
if (!probe.ok) console.warn(`isolation tests skipped: ${probe.reason}. ${probe.fix}`);

/** The temp folder must stay root-owned and world-writable whatever a test does. */
export function assertTmpUntouched(): void {
  const stat = statSync(tmpdir());
  expect(stat.uid).toBe(0);
  expect(stat.mode & 0o1777).toBe(0o1777);
}

/** A test's own world: a mkdtemp root with sandboxes/, logs/ and a shared cache folder. */
export async function world(): Promise<{
  root: string;
  sandboxes: string;
  logs: string;
  cache: string;
  pool: UidPool;
  remove: () => Promise<void>;
}> {
  assertTmpUntouched();
  const own = await tempDir('pactown-iso-test-');
  const root = own.path;
  const sandboxes = join(root, 'sandboxes');
  const logs = join(root, 'logs');
  const cache = join(sandboxes, '.cache');
  for (const dir of [sandboxes, logs, cache]) mkdirSync(dir);
  // A range of its own per world, so parallel test files never share a uid.
  const first = 200_000 + Math.floor(Math.random() * 60_000);
  const pool = new UidPool({ first, last: first + 50 });
  return {
    root,
    sandboxes,
    logs,
    cache,
    pool,
    remove: async () => {
      await own.remove();
      assertTmpUntouched();
    },
  };
}

/** A service folder made for the service and handed to its uid. */
export function serviceDir(sandboxes: string, name: string, lease: UidLease): string {
  const dir = createServiceDir(sandboxes, name);
  handOverServiceDir(sandboxes, dir, lease);
  return dir;
}

/** How a run under the parent fixture ended, and what it printed. */
export type SandboxRun = ChildResult;

/** The plan of a shell script run in the sandbox. */
export function shellPlan(
  cwd: string,
  script: string,
  options: {
    lease: UidLease | null;
    env?: Record<string, string>;
    readOnlyPaths?: string[];
    limits?: NormalizedLimits;
    network?: 'host' | 'none';
  },
): LaunchPlan {
  return buildLaunch({
    file: '/bin/sh',
    args: ['-c', script],
    cwd,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', ...options.env },
    identity: options.lease,
    limits: options.limits ?? DEFAULT_LIMITS,
    readOnlyPaths: options.readOnlyPaths,
    network: options.network,
    bwrap: probe.bwrap ?? 'bwrap',
  });
}

/** Runs a plan under the parent fixture, whose environment holds `parentEnv` (the runner's secrets). */
export function runUnderParent(plan: LaunchPlan, parentEnv: Record<string, string> = {}): Promise<SandboxRun> {
  return runChild(process.execPath, [join(FIXTURES, 'parent.mjs'), JSON.stringify(plan)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...parentEnv },
  });
}
