import { mkdir, rmdir, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * A lock between processes sharing one cache folder: `mkdir` is atomic. A
 * lock older than `staleMs` belongs to a process that died mid-build and is
 * taken over. Returns the release function.
 */
export async function acquireDirLock(path: string, staleMs: number): Promise<() => Promise<void>> {
  for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
    try {
      await mkdir(path);
      return () => rmdir(path).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const info = await stat(path).catch(() => null);
    if (info !== null && Date.now() - info.mtimeMs > staleMs) await rmdir(path).catch(() => undefined);
    else await delay(wait);
  }
}
