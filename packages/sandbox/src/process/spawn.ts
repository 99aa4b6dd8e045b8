/**
 * The one place a service process is spawned: the planned command in its
 * own process group, both pipes open, nothing buffered, an environment built
 * only from what it was given. Every child of this package's process layer
 * starts here (installers start in `deps/run-installer.ts`).
 */
import { execa } from 'execa';
import type { CommandPlan } from './command.js';

export interface SpawnInput {
  plan: CommandPlan;
  cwd: string;
  /** The full environment of the child (nothing is inherited). */
  env: Record<string, string>;
}

/** The started child; `pid` is `undefined` when it could not be spawned (see its 'error' event). */

export function spawnService(input: SpawnInput) {
  const child = execa(input.plan.file, input.plan.args, {
    cwd: input.cwd,
    env: input.env,
    extendEnv: false,
    detached: true,
    cleanup: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    windowsHide: true,
    forceKillAfterDelay: false,
  });
  // The result promise is not used (the 'exit' event is faster); keep it from rejecting unhandled.
  child.then(undefined, () => {});
  return child;
}
