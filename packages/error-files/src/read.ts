/** Reading error files back: one file in full, or the folder as a list. */
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorFileError, codeOf, describeCause } from './errors.js';
import { READ_FLAGS } from './fs.js';
import { parseErrorFile } from './parse.js';
import { errorFilePath, parseErrorFileName } from './paths.js';
import type { ErrorFileEntry, ErrorFileReport } from './types.js';
import { decodeNumber, decodeValue } from './values.js';

const MAX_READ = 16 * 1024 * 1024;
const PEEK = 2048;
const MAX_HEADER = 65_536;

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

/**
 * Reads and parses a service's error file. Rejects with an
 * `ErrorFileError` (`code` `'ENOENT'` when there is none, `'ELOOP'` for a
 * symbolic link, which is never followed).
 */
export async function readErrorFile(dir: string, id: string, options: ReadErrorFileOptions = {}): Promise<ErrorFileReport> {
  const file = errorFilePath(dir, id, options.index ?? 0);
  try {
    return parseErrorFile((await readNoFollow(file, MAX_READ)).text);
  } catch (error) {
    const code = codeOf(error);
    const why = code === 'ENOENT' ? 'no such file' : code === 'ELOOP' ? 'it is a symbolic link (not followed)' : describeCause(error);
    throw new ErrorFileError(`Cannot read error file ${file}: ${why}.`, { path: file, cause: error });
  }
}

/** The raw value of header line `key` (searched before the first section marker only), or `undefined`. */
function headerValue(text: string, headerEnd: number, key: string): string | undefined {
  let at = 0;
  if (!text.startsWith(key)) {
    const i = text.indexOf(`\n${key}`);
    if (i === -1 || i >= headerEnd) return undefined;
    at = i + 1;
  }
  const start = at + key.length;
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end);
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

type Summary = Pick<ErrorFileEntry, 'time' | 'exitCode' | 'category' | 'size'>;

/** What a file's header said, by path, valid while inode, change time and size stay the same. */
const summaries = new Map<string, { ino: number; ctimeMs: number; size: number; summary: Summary }>();
const MAX_SUMMARIES = 100_000;

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
    if (!peek) return undefined;
    const text = peek.header;
    const headerEnd = text.length;
    const ended = decodeValue(headerValue(text, headerEnd, 'Ended: ') ?? '');
    const category = headerValue(text, headerEnd, 'Category: ');
    return {
      time: Number.isNaN(Date.parse(ended)) ? new Date(mtimeMs).toISOString() : ended,
      exitCode: decodeNumber(headerValue(text, headerEnd, 'Exit code: ') ?? ''),
      category: category === undefined ? 'unknown' : decodeValue(category),
      size: peek.size,
    };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/**
 * One listing row. Files are never changed in place (a write renames a new
 * file over the old name), so a header read once stays right while `lstat`
 * shows the same inode, change time and size: a repeated listing costs one
 * `lstat` per file instead of open, read and close.
 */
function entryFor(prefix: string, name: string): ErrorFileEntry | undefined {
  const parsed = parseErrorFileName(name);
  if (!parsed) return undefined;
  const file = prefix + name;
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) {
    summaries.delete(file);
    return undefined;
  }
  const known = summaries.get(file);
  let summary = known && known.ino === st.ino && known.ctimeMs === st.ctimeMs && known.size === st.size ? known.summary : undefined;
  if (!summary) {
    summary = readSummary(file, st.size, st.mtimeMs);
    if (!summary) return undefined;
    if (summaries.size >= MAX_SUMMARIES) summaries.clear();
    summaries.set(file, { ino: st.ino, ctimeMs: st.ctimeMs, size: st.size, summary });
  }
  return { serviceId: parsed.serviceId, index: parsed.index, path: file, ...summary };
}

const BATCH = 256;

/**
 * Lists the error files in `dir` (history included), newest first. Symbolic
 * links and unreadable files are skipped. Rejects with an `ErrorFileError`
 * (`code` `'ENOENT'`) when the folder does not exist.
 */
export async function listErrorFiles(dir: string): Promise<ErrorFileEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new ErrorFileError(`Cannot list error files in ${dir}: ${describeCause(error)}.`, { path: dir, cause: error });
  }
  // Small synchronous reads in batches: one thread-pool round trip per file cost
  // more than the reads themselves; yielding between batches keeps the event loop responsive.
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const keyed: Array<{ ms: number; entry: ErrorFileEntry }> = [];
  for (let i = 0; i < names.length; i++) {
    if (i > 0 && i % BATCH === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const entry = entryFor(prefix, names[i]!);
    if (entry) keyed.push({ ms: Date.parse(entry.time), entry });
  }
  keyed.sort((a, b) => b.ms - a.ms || a.entry.index - b.entry.index || (a.entry.serviceId < b.entry.serviceId ? -1 : a.entry.serviceId > b.entry.serviceId ? 1 : 0));
  return keyed.map((k) => k.entry);
}
