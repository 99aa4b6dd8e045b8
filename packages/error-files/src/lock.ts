/**
 * Mutual exclusion for one service's files while history is rotated: a queue
 * inside the process, and a lock between processes.
 *
 * The lock is a hard link to the writer's own temp file (`link()` fails with
 * `EEXIST` when someone holds it): no new inode, so taking it costs a few
 * microseconds where creating a lock file cost a millisecond and more on a
 * busy disk. The holder is found by the temp file that shares the lock's
 * inode (its name carries the pid). A lock is taken over when that process is
 * gone, when no temp file shares it for 2 s (the holder died after its
 * rename), or after 30 s. Where hard links are not supported, an `O_EXCL`
 * lock file holding the pid is used instead.
 */
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { codeOf } from './errors.js';
import { CREATE_FLAGS, type ErrorFilesFs, quietly, writeAll } from './fs.js';

const STALE_MS = 30_000;
const ORPHAN_MS = 2_000;
const TEMP_PID = /\.(\d+)\.\d+\.[a-z0-9]+\.tmp$/;
const queues = new Map<string, Promise<void>>();

/** The time lock ages and deadlines are measured with (internal: tests move it ahead instead of waiting). */
export const lockClock = { now: (): number => Date.now() };

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return codeOf(error) === 'EPERM';
  }
}

/** The pid of the lock's holder: from a pid lock file, or from the temp file sharing its inode. */
function holder(fs: ErrorFilesFs, lockPath: string, ino: number, size: number): number | undefined {
  if (size > 0 && size < 32) {
    const pid = Number.parseInt(String(fs.readFileSync(lockPath, 'utf8')), 10);
    if (Number.isInteger(pid)) return pid;
  }
  const dir = path.dirname(lockPath);
  const prefix = `${path.basename(lockPath).slice(0, -'.lock'.length)}.`;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const st = fs.lstatSync(path.join(dir, name), { throwIfNoEntry: false });
    if (st?.ino === ino) return Number(TEMP_PID.exec(name)?.[1]);
  }
  return undefined;
}

function isStale(fs: ErrorFilesFs, lockPath: string): boolean {
  try {
    const st = fs.lstatSync(lockPath);
    const age = lockClock.now() - Math.max(st.ctimeMs, st.mtimeMs);
    if (age > STALE_MS) return true;
    const pid = holder(fs, lockPath, st.ino, st.size);
    if (pid === undefined) return age > ORPHAN_MS;
    return pid !== process.pid && !alive(pid);
  } catch (error) {
    return codeOf(error) === 'ENOENT';
  }
}

/** `true` when taken, `false` when held by someone else, `undefined` when no lock can be made here. */
function tryTake(fs: ErrorFilesFs, lockPath: string, temp: string): boolean | undefined {
  try {
    fs.linkSync(temp, lockPath);
    return true;
  } catch (error) {
    if (codeOf(error) === 'EEXIST') return false;
  }
  let fd: number;
  try {
    fd = fs.openSync(lockPath, CREATE_FLAGS, 0o600);
  } catch (error) {
    return codeOf(error) === 'EEXIST' ? false : undefined;
  }
  quietly(() => writeAll(fs, fd, Buffer.from(`${process.pid}\n`)));
  quietly(() => fs.closeSync(fd));
  return true;
}

/** Takes the lock; `false` when it could not be had in time or made at all (the caller goes on without it). */
async function acquire(fs: ErrorFilesFs, lockPath: string, temp: string, timeoutMs: number): Promise<boolean> {
  const deadline = lockClock.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const taken = tryTake(fs, lockPath, temp);
    if (taken !== false) return taken === true;
    if (isStale(fs, lockPath)) {
      quietly(() => fs.unlinkSync(lockPath));
      continue;
    }
    if (lockClock.now() >= deadline) return false;
    await delay(Math.min(2 ** attempt, 25));
  }
}

/** Runs `fn` while holding the lock at `lockPath`; `temp` is the caller's own temp file. */
export async function withLock<T>(
  fs: ErrorFilesFs,
  lockPath: string,
  temp: string,
  timeoutMs: number,
  fn: () => T,
): Promise<T> {
  const previous = queues.get(lockPath);
  let release!: () => void;
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous ? previous.then(() => mine) : mine;
  queues.set(lockPath, tail);
  if (previous) await previous;
  try {
    const held = await acquire(fs, lockPath, temp, timeoutMs);
    try {
      return fn();
    } finally {
      if (held) quietly(() => fs.unlinkSync(lockPath));
    }
  } finally {
    release();
    if (queues.get(lockPath) === tail) queues.delete(lockPath);
  }
}
