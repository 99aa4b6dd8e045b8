/** Reading error files back: one file in full, or the folder as a list. */
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { defineOptions } from '@pactown/options';
import { CODES, ErrorFileError, codeOf, describeCause } from './errors.js';
import { READ_FLAGS } from './fs.js';
import { parseErrorFile } from './parse.js';
import { errorFilePath, parseErrorFileName } from './paths.js';
import {
  type IndexRow,
  type LoadedIndex,
  SETTLED_MS,
  findRow,
  loadIndex,
  matches,
  rowFor,
  saveIndex,
} from './header-index.js';
import { MAX_HEADER, type Summary, summarize } from './summary.js';
import type { ErrorFileEntry, ErrorFileReport } from './types.js';

const MAX_READ = 16 * 1024 * 1024;
const PEEK = 2048;

/** Reads up to `limit` bytes of a regular file, refusing symbolic links. */
async function readNoFollow(file: string, limit: number): Promise<{ text: string; size: number; mtimeMs: number }> {
  const handle = await open(file, READ_FLAGS);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw Object.assign(new Error(`not a regular file: ${file}`), { code: 'EINVAL' });
    const length = Math.min(st.size, limit);
    const buf = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buf, done, length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { text: buf.subarray(0, done).toString('utf8'), size: st.size, mtimeMs: st.mtimeMs };
  } finally {
    await handle.close();
  }
}

/** Options of {@link readErrorFile}. */
export interface ReadErrorFileOptions {
  /** 0 for the newest file, N for `.N`. @default 0 */
  index?: number;
}

const READ_OPTIONS = defineOptions({
  pkg: '@pactown/error-files',
  prefix: 'PACTOWN_ERRORS',
  options: { index: { kind: 'integer', min: 0, default: 0, doc: '0 for the newest file, N for `.N`' } },
});

/**
 * Reads and parses a service's error file. Rejects with an
 * `ErrorFileError`: code `PACTOWN_ERRORS_NOT_FOUND` when there is none,
 * `PACTOWN_ERRORS_READ_FAILED` otherwise (`systemCode` `'ELOOP'` for a
 * symbolic link, which is never followed).
 */
export async function readErrorFile(
  dir: string,
  id: string,
  options: ReadErrorFileOptions = {},
): Promise<ErrorFileReport> {
  const { index } = READ_OPTIONS.parse(options, 'readErrorFile options') as Required<ReadErrorFileOptions>;
  const file = errorFilePath(dir, id, index);
  try {
    return parseErrorFile((await readNoFollow(file, MAX_READ)).text);
  } catch (error) {
    const code = codeOf(error);
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'ELOOP'
          ? 'it is a symbolic link (not followed)'
          : describeCause(error);
    throw new ErrorFileError(`Cannot read error file ${file}: ${why}.`, {
      code: code === 'ENOENT' ? CODES.NOT_FOUND : CODES.READ_FAILED,
      path: file,
      cause: error,
    });
  }
}

// One buffer for every peek: listing is synchronous within a batch, so it is never shared.
let peekBuffer = Buffer.allocUnsafe(PEEK);

interface Peek {
  header: string;
  size: number;
}

/**
 * The header (up to the first section marker) of a file already known (by
 * `lstat`) to be a regular file of `size` bytes, read without following links
 * and without reading more than `limit` bytes. `O_NONBLOCK` keeps a FIFO
 * swapped in meanwhile from blocking. Caller closes `fd`.
 */
function peekSync(fd: number, limit: number, size: number): Peek | undefined {
  if (peekBuffer.length < limit) peekBuffer = Buffer.allocUnsafe(limit);
  const n = readSync(fd, peekBuffer, 0, limit, 0);
  // A short read is the whole file: its size, even if the file changed since the lstat.
  const actual = n < limit ? n : size;
  const marker = peekBuffer.subarray(0, n).indexOf('\n--- ');
  if (marker === -1 && actual > limit) return limit < MAX_HEADER ? peekSync(fd, MAX_HEADER, size) : undefined;
  return { header: peekBuffer.toString('utf8', 0, marker === -1 ? n : marker), size: actual };
}

function readSummary(file: string, size: number, mtimeMs: number): Summary | undefined {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch {
    // Gone meanwhile, a symbolic link, or unreadable: not listed.
    return undefined;
  }
  try {
    const peek = peekSync(fd, PEEK, size);
    return peek && summarize(peek.header, peek.size, mtimeMs);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** What a file's header said, by path, valid while inode, change time and size stay the same. */
const summaries = new Map<string, { ino: number; ctimeMs: number; size: number; summary: Summary }>();
const MAX_SUMMARIES = 100_000;

/** Where headers may come from besides the file itself. */
export interface ListSources {
  /** This process's cache of headers already read. */
  memory: boolean;
  /** The folder's header index (read, and rewritten when it was incomplete). */
  index: boolean;
  /** Files changed less than this many ms before the listing are not indexed. @default SETTLED_MS */
  settledMs?: number;
}

interface Pass {
  sources: ListSources;
  stored: LoadedIndex | undefined;
  fresh: IndexRow[];
  /** Position in the stored index's rows. */
  cursor: { at: number };
  /** Files whose change and modification times are before this may be indexed. */
  settledBefore: number;
  /** Entries not taken from the stored index (the index is rewritten when there are any). */
  missed: number;
}

/**
 * One listing row. Files are never changed in place (a write renames a new
 * file over the old name), so a header read once stays right while `lstat`
 * shows the same inode, change time and size: from the folder's index or this
 * process's cache, a row costs one `lstat` instead of open, read and close.
 */
function entryFor(prefix: string, name: string, pass: Pass): ErrorFileEntry | undefined {
  const parsed = parseErrorFileName(name);
  if (!parsed) return undefined;
  const file = prefix + name;
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) {
    summaries.delete(file);
    return undefined;
  }
  const row = pass.stored && findRow(pass.stored, name, pass.cursor);
  if (matches(row, st)) {
    if (pass.sources.index) pass.fresh.push(row);
    return {
      serviceId: parsed.serviceId,
      index: parsed.index,
      path: file,
      time: row[5],
      exitCode: row[6],
      category: row[7],
      size: row[2],
    };
  }
  let summary: Summary | undefined;
  const known = pass.sources.memory ? summaries.get(file) : undefined;
  if (known && known.ino === st.ino && known.ctimeMs === st.ctimeMs && known.size === st.size) summary = known.summary;
  else {
    summary = readSummary(file, st.size, st.mtimeMs);
    if (!summary) return undefined;
    if (pass.sources.memory) {
      if (summaries.size >= MAX_SUMMARIES) summaries.clear();
      summaries.set(file, { ino: st.ino, ctimeMs: st.ctimeMs, size: st.size, summary });
    }
  }
  // Indexed only when settled, and not when the file changed between the lstat and the read.
  if (pass.sources.index && summary.size === st.size && Math.max(st.ctimeMs, st.mtimeMs) < pass.settledBefore) {
    pass.missed++;
    pass.fresh.push(rowFor(name, st, summary));
  }
  return { serviceId: parsed.serviceId, index: parsed.index, path: file, ...summary };
}

const BATCH = 256;

/** {@link listErrorFiles} with a choice of header sources (all of them by default). */
export async function listErrorFilesFrom(dir: string, sources: ListSources): Promise<ErrorFileEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new ErrorFileError(`Cannot list error files in ${dir}: ${describeCause(error)}.`, {
      code: CODES.LIST_FAILED,
      path: dir,
      cause: error,
    });
  }
  const settledBefore = Date.now() - (sources.settledMs ?? SETTLED_MS);
  const pass: Pass = {
    sources,
    stored: sources.index ? loadIndex(dir) : undefined,
    fresh: [],
    cursor: { at: 0 },
    missed: 0,
    settledBefore,
  };
  // Small synchronous reads in batches: one thread-pool round trip per file cost
  // more than the reads themselves; yielding between batches keeps the event loop responsive.
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const keyed: Array<{ ms: number; entry: ErrorFileEntry }> = [];
  for (let i = 0; i < names.length; i++) {
    if (i > 0 && i % BATCH === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const entry = entryFor(prefix, names[i]!, pass);
    if (entry) keyed.push({ ms: Date.parse(entry.time), entry });
  }
  if (sources.index) {
    const lines = pass.stored?.lines ?? 0;
    // Rewritten when a settled file's header had to be read, or when stale lines outnumber live ones (compaction).
    if (pass.missed > 0 || lines > 2 * pass.fresh.length + 64) saveIndex(dir, pass.fresh);
  }
  keyed.sort(
    (a, b) =>
      b.ms - a.ms ||
      a.entry.index - b.entry.index ||
      (a.entry.serviceId < b.entry.serviceId ? -1 : a.entry.serviceId > b.entry.serviceId ? 1 : 0),
  );
  return keyed.map((k) => k.entry);
}

/**
 * Lists the error files in `dir` (history included), newest first. Symbolic
 * links and unreadable files are skipped. Headers come from the folder's
 * index or this process's cache while `lstat` shows the file unchanged.
 * Rejects with an `ErrorFileError` (`code` `'ENOENT'`) when the folder does
 * not exist.
 */
export function listErrorFiles(dir: string): Promise<ErrorFileEntry[]> {
  return listErrorFilesFrom(dir, { memory: true, index: true });
}
