/**
 * A header index kept in the log folder (`.pactown-errors.index`), so that a
 * listing in a new process costs one `lstat` per file instead of lstat, open,
 * read and close.
 *
 * The index is a cache, never a source of truth: an entry is used only while
 * `lstat` of the file under its name shows the same inode, size, change time
 * and modification time as when its header was read. A file replaced or edited
 * since (by any writer, by hand) gets a new change time, which the kernel sets
 * and nobody can set back, so its header is read again. An index that is
 * missing, unreadable, corrupt, a link, not a regular file, writable by others
 * or owned by another user is ignored and rebuilt.
 *
 * Only listings write it: atomically (temp file + rename, `0600`), when they
 * read headers of settled files (see {@link SETTLED_MS}) that it lacked, or to
 * drop stale lines. Writers leave it alone: a file just written is still
 * within its timestamp tick, so an entry for it could not be trusted yet.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { READ_FLAGS, nodeFs, quietly, removeIfExists, writeTemp } from './fs.js';
import type { Summary } from './summary.js';

/** File name of the index in the log folder (hidden; never listed as an error file). */
export const INDEX_NAME = '.pactown-errors.index';
const MAGIC = 'pactown-errors header index 1';
const MAX_INDEX_BYTES = 64 * 1024 * 1024;
// A header value longer than this is not worth indexing (the file is read instead).
const MAX_LINE = 4000;
/**
 * Files changed less than this long before a listing began are not indexed: on
 * a file system with coarse timestamps (1-2 s on some, a clock tick on others)
 * a same-size edit within the same tick would leave inode, size and both times
 * unchanged. Older files cannot be changed without a newer change time.
 */
export const SETTLED_MS = 2000;

/** What `lstat` said of a file when its header was read. */
export interface Stamp {
  ino: number;
  size: number;
  ctimeMs: number;
  mtimeMs: number;
}

export interface Indexed extends Stamp {
  summary: Summary;
}

/** Whether `entry` still describes the file `st` (same inode, size, change and modification time). */
export function matches(entry: Indexed | undefined, st: Stamp): entry is Indexed {
  return entry !== undefined && entry.ino === st.ino && entry.size === st.size && entry.ctimeMs === st.ctimeMs && entry.mtimeMs === st.mtimeMs;
}

/** One index line, or `undefined` for an entry too long to be worth indexing. */
export function indexLine(name: string, e: Indexed): string | undefined {
  const s = e.summary;
  const line = `${JSON.stringify([name, e.ino, e.size, e.ctimeMs, e.mtimeMs, s.time, s.exitCode, s.category])}\n`;
  return Buffer.byteLength(line) <= MAX_LINE ? line : undefined;
}

function parseLine(line: string): [string, Indexed] | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 8) return undefined;
  const [name, ino, size, ctimeMs, mtimeMs, time, exitCode, category] = v as unknown[];
  if (typeof name !== 'string' || typeof time !== 'string' || typeof category !== 'string') return undefined;
  if (![ino, size, ctimeMs, mtimeMs].every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  if (exitCode !== null && (typeof exitCode !== 'number' || !Number.isFinite(exitCode))) return undefined;
  const stamp = { ino: ino as number, size: size as number, ctimeMs: ctimeMs as number, mtimeMs: mtimeMs as number };
  return [name, { ...stamp, summary: { time, exitCode: exitCode as number | null, category, size: stamp.size } }];
}

/** Owned by us, by root, or by the folder's owner, and writable by nobody else. */
function trusted(st: { uid: number; mode: number }, dir: string): boolean {
  if ((st.mode & 0o022) !== 0) return false;
  const uid = process.getuid?.();
  if (uid === undefined || st.uid === uid || st.uid === 0) return true;
  try {
    return statSync(dir).uid === st.uid;
  } catch {
    return false;
  }
}

/** The loaded index: entries by file name (a later line wins) and the number of lines read. */
export interface LoadedIndex {
  entries: Map<string, Indexed>;
  lines: number;
}

// The last index parsed per folder, reused while the index file itself is unchanged.
const parsed = new Map<string, { stamp: Stamp; loaded: LoadedIndex }>();

/** Reads the index of `dir`; `undefined` when there is none or it cannot be trusted. */
export function loadIndex(dir: string): LoadedIndex | undefined {
  let fd: number;
  try {
    fd = openSync(path.join(dir, INDEX_NAME), READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > MAX_INDEX_BYTES || !trusted(st, dir)) return undefined;
    const known = parsed.get(dir);
    if (known && known.stamp.ino === st.ino && known.stamp.size === st.size && known.stamp.ctimeMs === st.ctimeMs && known.stamp.mtimeMs === st.mtimeMs) {
      return known.loaded;
    }
    const buf = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, done);
      if (n === 0) break;
      done += n;
    }
    const lines = buf.toString('utf8', 0, done).split('\n');
    if (lines[0] !== MAGIC) return undefined;
    const entries = new Map<string, Indexed>();
    let count = 0;
    for (let i = 1; i < lines.length; i++) {
      if (lines[i] === '') continue;
      count++;
      const line = parseLine(lines[i]!);
      if (line) entries.set(line[0], line[1]);
    }
    const loaded = { entries, lines: count };
    if (parsed.size >= 16) parsed.clear();
    parsed.set(dir, { stamp: { ino: st.ino, size: st.size, ctimeMs: st.ctimeMs, mtimeMs: st.mtimeMs }, loaded });
    return loaded;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Replaces the index of `dir` with `entries`, atomically; best effort (a read-only folder keeps none). */
export function saveIndex(dir: string, entries: Map<string, Indexed>): void {
  const target = path.join(dir, INDEX_NAME);
  const parts = [`${MAGIC}\n`];
  for (const [name, e] of entries) parts.push(indexLine(name, e) ?? '');
  quietly(() => {
    const temp = writeTemp(nodeFs, target, parts.join(''), false);
    try {
      // rename() replaces a link planted at the name; it never writes through it.
      renameSync(temp, target);
    } catch (error) {
      quietly(() => removeIfExists(nodeFs, temp));
      throw error;
    }
  });
}
