/**
 * Mutual exclusion for one service's files while history is rotated: a queue
 * inside the process, and a lock file (`O_EXCL`) between processes. A lock
 * whose owner is gone, or older than 30 s, is taken over.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { codeOf } from './errors.js';
import { CREATE_FLAGS, type ErrorFilesFs } from './fs.js';

const STALE_MS = 30_000;
const queues = new Map<string, Promise<void>>();

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

async function isStale(fs: ErrorFilesFs, lockPath: string): Promise<boolean> {
  try {
    const [text, st] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.lstat(lockPath)]);
    if (Date.now() - st.mtimeMs > STALE_MS) return true;
    const pid = Number.parseInt(text, 10);
    // An empty file is a lock being created right now.
    return text !== '' && pid !== process.pid && !alive(pid);
  } catch (error) {
    return codeOf(error) === 'ENOENT';
  }
}

/** Takes the lock file; `false` when it could not be had in time (the caller goes on without it). */
async function acquire(fs: ErrorFilesFs, lockPath: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await fs.open(lockPath, CREATE_FLAGS, 0o600);
      await handle.writeFile(`${process.pid}\n`).catch(() => {});
      await handle.close().catch(() => {});
      return true;
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') return false;
    }
    if (await isStale(fs, lockPath)) {
      await fs.unlink(lockPath).catch(() => {});
      continue;
    }
    if (Date.now() >= deadline) return false;
    await delay(Math.min(2 ** attempt, 25));
  }
}

/** Runs `fn` while holding the lock at `lockPath`. */
export async function withLock<T>(fs: ErrorFilesFs, lockPath: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  queues.set(lockPath, tail);
  await previous;
  try {
    const held = await acquire(fs, lockPath, timeoutMs);
    try {
      return await fn();
    } finally {
      if (held) await fs.unlink(lockPath).catch(() => {});
    }
  } finally {
    release();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}
