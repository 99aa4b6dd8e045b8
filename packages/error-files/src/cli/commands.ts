/** The `pactown-errors` commands. Each writes to `out` and returns an exit code or throws `CliError`. */
import { closeSync, readSync } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { cleanErrorFiles } from '../clean.js';
import { codeOf } from '../errors.js';
import { READ_FLAGS } from '../fs.js';
import { renderMarkdown } from '../markdown.js';
import { showControls } from '../text.js';
import { errorFilePath, isValidServiceId, parseErrorFileName } from '../paths.js';
import { listErrorFiles, readErrorFile } from '../read.js';
import { CliError, EXIT, parseDuration } from './exit-codes.js';
import { type Followed, follow, openFollowed } from './follow.js';

export interface Io {
  out(text: string): void;
}

/** Fails with exit code 3 unless `dir` is an existing folder. */
export async function requireDir(dir: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (error) {
    if (codeOf(error) !== 'ENOENT' && codeOf(error) !== 'ENOTDIR') throw error;
  }
  throw new CliError(EXIT.NO_DIR, `Log folder ${dir} does not exist (set --dir or PACTOWN_LOG_DIR).`);
}

function human(bytes: number): string {
  return bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

export async function list(io: Io, dir: string, json: boolean): Promise<number> {
  await requireDir(dir);
  const entries = await listErrorFiles(dir);
  if (json) {
    io.out(`${JSON.stringify(entries, null, 2)}\n`);
    return EXIT.OK;
  }
  if (entries.length === 0) {
    io.out(`No error files in ${dir}.\n`);
    return EXIT.OK;
  }
  const rows = [['TIME', 'SERVICE', 'EXIT', 'CATEGORY', 'SIZE', 'FILE']];
  for (const e of entries) {
    rows.push([
      e.time,
      e.serviceId,
      e.exitCode === null ? '-' : String(e.exitCode),
      String(e.category),
      human(e.size),
      path.basename(e.path),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) io.out(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
  return EXIT.OK;
}

/**
 * The files an argument of `show` or `report` may name, most likely first:
 * the service id itself, or the file's own name or stem (`service_123`,
 * `service_123_error`, `service_123_error.log`, `service_123_error.log.2`).
 */
export function serviceCandidates(arg: string, index: number | undefined): { id: string; index: number }[] {
  const out: { id: string; index: number }[] = [];
  const add = (id: string | undefined, i: number) => {
    if (id !== undefined && isValidServiceId(id) && !out.some((c) => c.id === id && c.index === i))
      out.push({ id, index: i });
  };
  add(arg, index ?? 0);
  const named = parseErrorFileName(arg);
  if (named && (index === undefined || index === named.index)) add(named.serviceId, named.index);
  const stem = /^service_(.+?)(_error)?$/.exec(arg);
  if (stem) {
    add(stem[1], index ?? 0);
    if (stem[2]) add(`${stem[1]}_error`, index ?? 0);
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return false;
    throw error;
  }
}

export type ShowFormat = 'text' | 'raw' | 'json' | 'markdown';

export async function show(
  io: Io,
  dir: string,
  service: string | undefined,
  index: number | undefined,
  format: ShowFormat,
  command = 'show',
): Promise<number> {
  if (service === undefined)
    throw new CliError(EXIT.USAGE, `${command} needs a service id: pactown-errors ${command} <service>.`);
  const candidates = serviceCandidates(service, index);
  if (candidates.length === 0) throw new CliError(EXIT.USAGE, `Invalid service id ${JSON.stringify(service)}.`);
  await requireDir(dir);
  let chosen = candidates[0]!;
  for (const c of candidates) {
    if (await exists(errorFilePath(dir, c.id, c.index))) {
      chosen = c;
      break;
    }
  }
  const file = errorFilePath(dir, chosen.id, chosen.index);
  let report: Awaited<ReturnType<typeof readErrorFile>>;
  try {
    report = await readErrorFile(dir, chosen.id, { index: chosen.index });
  } catch (error) {
    if (codeOf(error) === 'ENOENT') {
      const which = chosen.index === 0 ? '' : ` (history entry .${chosen.index})`;
      throw new CliError(EXIT.NOT_FOUND, `No error file for service ${service}${which}: ${file} does not exist.`);
    }
    throw error;
  }
  if (format === 'json') io.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === 'markdown') io.out(renderMarkdown(report));
  // A file from elsewhere may hold terminal escapes: shown as control pictures unless --raw.
  else io.out(format === 'raw' ? (await readEnd(file)).text : showControls((await readEnd(file)).text));
  return EXIT.OK;
}

/** The last `maxBytes` of a file (all of it without a limit), with its size and inode, never following a link. */
async function readEnd(
  file: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ text: string; size: number; ino: number }> {
  const handle = await open(file, READ_FLAGS);
  try {
    const { size, ino } = await handle.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buf, 0, buf.length, start);
    return { text: buf.toString('utf8', 0, bytesRead), size: start + bytesRead, ino };
  } finally {
    await handle.close();
  }
}

// A log of the folder: `sandbox.log`, a rotated `sandbox.log.N`, `service_{id}_error.log[.N]`; never a hidden file.
const LOG_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,250}\.log(?:\.[1-9]\d{0,8})?$/;

/**
 * The path of `--file` inside `dir`. Only the plain name of a log file in the
 * folder is accepted (exit 2 otherwise): no separators, no `..`, nothing that
 * resolves outside the folder.
 */
export function logFileIn(dir: string, filename: string): string {
  const root = path.resolve(dir);
  const file = path.resolve(root, filename);
  const plain = path.basename(filename) === filename && !/[/\\]/.test(filename) && !filename.includes('..');
  if (!plain || !LOG_FILE_NAME.test(filename) || path.dirname(file) !== root || path.basename(file) !== filename) {
    throw new CliError(
      EXIT.USAGE,
      `--file must be the plain name of a log file in the log folder (sandbox.log, sandbox.log.1, service_<id>_error.log), got ${JSON.stringify(filename)}.`,
    );
  }
  return file;
}

export async function tail(
  io: Io,
  dir: string,
  lines: number,
  filename: string,
  followSignal?: AbortSignal,
): Promise<number> {
  const file = logFileIn(dir, filename);
  await requireDir(dir);
  let opened: Followed | undefined;
  try {
    // A link could point anywhere: refused, like readErrorFile refuses one (the open below never follows one either).
    const st = await lstat(file);
    if (st.isSymbolicLink()) throw new CliError(EXIT.FAILURE, `Refusing ${file}: it is a symbolic link.`);
    if (!st.isFile()) throw new CliError(EXIT.FAILURE, `Refusing ${file}: it is not a regular file.`);
    opened = openFollowed(file);
    if (!opened) throw new CliError(EXIT.FAILURE, `Refusing ${file}: it is not a regular file, or a symbolic link.`);
  } catch (error) {
    if (codeOf(error) === 'ENOENT') throw new CliError(EXIT.NOT_FOUND, `No ${filename} in ${dir}.`);
    if (codeOf(error) === 'ELOOP') throw new CliError(EXIT.FAILURE, `Refusing ${file}: it is a symbolic link.`);
    throw error;
  }
  // One open file for the end shown and the following: nothing can slip between the two.
  const maxBytes = 4 * 1024 * 1024;
  const from = Math.max(0, opened.pos - maxBytes);
  const buf = Buffer.alloc(opened.pos - from);
  const bytesRead = readSync(opened.fd, buf, 0, buf.length, from);
  opened.pos = from + bytesRead;
  const text = buf.toString('utf8', 0, bytesRead);
  const all = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  const shown = text === '' || lines === 0 ? [] : all.slice(-lines);
  if (shown.length > 0) io.out(`${shown.join('\n')}${text.endsWith('\n') ? '\n' : ''}`);
  if (followSignal) await follow(file, opened, (t) => io.out(t), followSignal);
  else closeSync(opened.fd);
  return EXIT.OK;
}

export async function clean(io: Io, dir: string, olderThan: string | undefined, dryRun: boolean): Promise<number> {
  if (olderThan === undefined)
    throw new CliError(EXIT.USAGE, 'clean needs --older-than, e.g. pactown-errors clean --older-than 7d.');
  const ms = parseDuration(olderThan);
  await requireDir(dir);
  const removed = await cleanErrorFiles(dir, { olderThanMs: ms, dryRun });
  for (const f of removed) io.out(`${dryRun ? 'would remove' : 'removed'} ${f}\n`);
  io.out(
    `${dryRun ? 'Would remove' : 'Removed'} ${removed.length} file${removed.length === 1 ? '' : 's'} older than ${olderThan}.\n`,
  );
  return EXIT.OK;
}
