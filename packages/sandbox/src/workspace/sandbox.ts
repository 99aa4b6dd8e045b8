import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createServiceDir, forgetServiceDir } from '../process/isolation/ownership.js';
import type { ServiceFile } from '../spec/types.js';
import { safeWriteFile } from './safe-write.js';
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
 */
export async function createSandbox(root: string, serviceId: string, files: readonly ServiceFile[]): Promise<string> {
  const name = sandboxName(assertServiceId(serviceId));
  await mkdir(root, { recursive: true, mode: 0o700 });
  await removeLeftovers(root, name);
  // Made through createServiceDir: the only kind of folder whose owner may later become the service's uid.
  const staging = createServiceDir(root, `.staging-${name}-${randomBytes(6).toString('hex')}`);
  try {
    for (const file of files) await safeWriteFile(staging, file.path, file.content);
    const final = join(root, name);
    const trash = join(root, `.trash-${name}-${randomBytes(4).toString('hex')}`);
    const moved = await rename(final, trash).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    await rename(staging, final);
    if (moved) {
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
async function removeLeftovers(root: string, name: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  const stale = entries.filter((e) => e.startsWith(`.staging-${name}-`) || e.startsWith(`.trash-${name}-`));
  await Promise.all(stale.map((e) => rm(join(root, e), { recursive: true, force: true })));
}

/** Top-level names in a sandbox, sorted, for logs and died reports. */
export async function listSandboxFiles(path: string): Promise<string[]> {
  const entries = await readdir(path).catch(() => [] as string[]);
  return entries.sort();
}
