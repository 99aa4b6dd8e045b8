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

/**
 * One index entry, as stored (a JSON array per line): file name, then what
 * `lstat` said when the header was read, then the header's time, exit code
 * and category. Kept as the parsed array: a listing of 10,000 files in a new
 * process spent more time allocating objects than reading the index.
 */
export type IndexRow = [
  name: string,
  ino: number,
  size: number,
  ctimeMs: number,
  mtimeMs: number,
  time: string,
  exitCode: number | null,
  category: string,
];

/** Whether `row` still describes the file `st` (same inode, size, change and modification time). */
export function matches(row: IndexRow | undefined, st: Stamp): row is IndexRow {
  return row !== undefined && row[1] === st.ino && row[2] === st.size && row[3] === st.ctimeMs && row[4] === st.mtimeMs;
}

/** The row for a file: its name, its `lstat` and what its header said. */
export function rowFor(name: string, st: Stamp, s: Summary): IndexRow {
  return [name, st.ino, st.size, st.ctimeMs, st.mtimeMs, s.time, s.exitCode, s.category];
}

/** The header fields are checked here; the stamp fields by {@link matches} (`===` with a number). */
function isRow(v: unknown): v is IndexRow {
  return (
    Array.isArray(v) &&
    v.length === 8 &&
    typeof v[0] === 'string' &&
    typeof v[5] === 'string' &&
    (v[6] === null || typeof v[6] === 'number') &&
    typeof v[7] === 'string'
  );
}

/** Every line as one JSON array (one native parse); line by line, skipping bad ones, when that fails. */
function parseRows(body: string): { rows: unknown[]; lines: number } {
  const trimmed = body.trimEnd();
  if (trimmed === '') return { rows: [], lines: 0 };
  try {
    const rows = JSON.parse(`[${trimmed.replaceAll('\n', ',')}]`) as unknown[];
    return { rows, lines: rows.length };
  } catch {
    const rows: unknown[] = [];
    let lines = 0;
    for (const line of trimmed.split('\n')) {
      if (line === '') continue;
      lines++;
      try {
        rows.push(JSON.parse(line));
      } catch {
        // A cut or garbled line: that file's header is read instead.
      }
    }
    return { rows, lines };
  }
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

/** The loaded index: its parsed lines (checked when used) and how many there were. */
export interface LoadedIndex {
  rows: unknown[];
  lines: number;
  /** By file name (a later line wins); built only when the folder is not in the index's order. */
  byName: Map<string, IndexRow> | undefined;
}

/**
 * The row for `name`. A folder's names usually come in the same order as in
 * the listing that wrote the index, so the next row is tried first (`cursor`
 * is the caller's position) before a map of every row is built.
 */
export function findRow(index: LoadedIndex, name: string, cursor: { at: number }): IndexRow | undefined {
  const next = index.rows[cursor.at];
  if (Array.isArray(next) && next[0] === name) {
    cursor.at++;
    return isRow(next) ? next : undefined;
  }
  if (!index.byName) {
    index.byName = new Map();
    for (const row of index.rows) if (isRow(row)) index.byName.set(row[0], row);
  }
  return index.byName.get(name);
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
    if (
      known &&
      known.stamp.ino === st.ino &&
      known.stamp.size === st.size &&
      known.stamp.ctimeMs === st.ctimeMs &&
      known.stamp.mtimeMs === st.mtimeMs
    ) {
      return known.loaded;
    }
    const buf = Buffer.allocUnsafe(st.size);
    let done = 0;
    while (done < buf.length) {
      const n = readSync(fd, buf, done, buf.length - done, done);
      if (n === 0) break;
      done += n;
    }
    const text = buf.toString('utf8', 0, done);
    const eol = text.indexOf('\n');
    if (eol === -1 || text.slice(0, eol) !== MAGIC) return undefined;
    const { rows, lines } = parseRows(text.slice(eol + 1));
    const loaded: LoadedIndex = { rows, lines, byName: undefined };
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
export function saveIndex(dir: string, rows: Iterable<IndexRow>): void {
  const target = path.join(dir, INDEX_NAME);
  const parts = [`${MAGIC}\n`];
  for (const row of rows) {
    const line = JSON.stringify(row);
    // A header value this long is not worth indexing: that file is read instead.
    if (line.length <= MAX_LINE) parts.push(line, '\n');
  }
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
