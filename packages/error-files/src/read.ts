/** Reading error files back: one file in full, or the folder as a list. */
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorFileError, codeOf, describeCause } from './errors.js';
import { READ_FLAGS } from './fs.js';
import { MARKER } from './markers.js';
import { parseErrorFile } from './parse.js';
import { errorFilePath, parseErrorFileName } from './paths.js';
import type { ErrorFileEntry, ErrorFileReport } from './types.js';
import { decodeNumber, decodeValue } from './values.js';

const MAX_READ = 16 * 1024 * 1024;
const PEEK = 4096;

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

/** The header fields `listErrorFiles` shows, read from the first lines only. */
function peekHeader(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    if (MARKER.test(line)) break;
    const colon = line.indexOf(': ');
    if (colon > 0 && line[0] !== ' ') {
      const key = line.slice(0, colon);
      if (!fields.has(key)) fields.set(key, line.slice(colon + 2));
    }
    start = end + 1;
  }
  return fields;
}

async function entryFor(dir: string, name: string): Promise<ErrorFileEntry | undefined> {
  const parsed = parseErrorFileName(name);
  if (!parsed) return undefined;
  const file = path.join(dir, name);
  let peek: Awaited<ReturnType<typeof readNoFollow>>;
  try {
    peek = await readNoFollow(file, PEEK);
    if (peek.size > PEEK && !/\n--- [A-Z]/.test(peek.text)) peek = await readNoFollow(file, 65_536);
  } catch {
    // Gone meanwhile, a symbolic link, or unreadable: not listed.
    return undefined;
  }
  const fields = peekHeader(peek.text);
  const ended = decodeValue(fields.get('Ended') ?? '');
  const time = Number.isNaN(Date.parse(ended)) ? new Date(peek.mtimeMs).toISOString() : ended;
  return {
    serviceId: parsed.serviceId,
    index: parsed.index,
    path: file,
    time,
    exitCode: decodeNumber(fields.get('Exit code') ?? ''),
    category: fields.has('Category') ? decodeValue(fields.get('Category')!) : 'unknown',
    size: peek.size,
  };
}

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
  const out: ErrorFileEntry[] = [];
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      const entry = await entryFor(dir, names[next++]!);
      if (entry) out.push(entry);
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, names.length) }, worker));
  const ms = new Map(out.map((e) => [e, Date.parse(e.time)]));
  return out.sort((a, b) => ms.get(b)! - ms.get(a)! || a.index - b.index || (a.serviceId < b.serviceId ? -1 : a.serviceId > b.serviceId ? 1 : 0));
}
