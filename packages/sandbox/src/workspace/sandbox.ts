import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, realpathSync, renameSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createServiceDir, forgetServiceDir } from '../process/isolation/ownership.js';
import type { ServiceFile } from '../spec/types.js';
import { writeUnderRoot } from './safe-write.js';
import { assertServiceId, sandboxName } from './service-id.js';

/** Where a service's sandbox lives: `{root}/service_{id}`. */
export function sandboxPath(root: string, serviceId: string): string {
  return join(root, sandboxName(assertServiceId(serviceId)));
}

/**
 * Builds a service's sandbox in a staging folder next to it and swaps it into
 * place only when every file is written, so a re-run never leaves a
 * half-written sandbox: readers see the old one, then the new one.
 * Returns the sandbox's absolute path.
 *
 * The folders, files and renames are made synchronously, in one go: the
 * files are small and bounded by the service's content, and a run then
 * reaches its spawn without waiting behind every other run in progress for
 * each step. Only removing what a previous sandbox or a crash left behind
 * waits.
 */
export async function createSandbox(root: string, serviceId: string, files: readonly ServiceFile[]): Promise<string> {
  const name = sandboxName(assertServiceId(serviceId));
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const stale = leftovers(root, name);
  if (stale.length > 0) await Promise.all(stale.map((e) => rm(join(root, e), { recursive: true, force: true })));
  // Made through createServiceDir: the only kind of folder whose owner may later become the service's uid.
  const staging = createServiceDir(root, `.staging-${name}-${randomBytes(6).toString('hex')}`);
  let trash: string | null = null;
  try {
    // The staging folder is ours and new: resolved once for every file.
    const realStaging = realpathSync(staging);
    for (const file of files) writeUnderRoot(realStaging, file.path, file.content);
    const final = join(root, name);
    const moving = join(root, `.trash-${name}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(final, moving);
      trash = moving;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    renameSync(staging, final);
    if (trash !== null) {
      forgetServiceDir(trash);
      await rm(trash, { recursive: true, force: true });
    }
    return final;
  } catch (error) {
    forgetServiceDir(staging);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/** Removes a service's sandbox; a missing one is not an error. */
export async function removeSandbox(root: string, serviceId: string): Promise<void> {
  forgetServiceDir(sandboxPath(root, serviceId));
  await rm(sandboxPath(root, serviceId), { recursive: true, force: true });
}

/** Staging and trash folders a crash left behind for this sandbox name. */
function leftovers(root: string, name: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  return entries.filter((e) => e.startsWith(`.staging-${name}-`) || e.startsWith(`.trash-${name}-`));
}

/** Top-level names in a sandbox, sorted, for logs and died reports. */
export async function listSandboxFiles(path: string): Promise<string[]> {
  const entries = await readdir(path).catch(() => [] as string[]);
  return entries.sort();
}
