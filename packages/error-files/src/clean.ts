/** Removing old error files: by age (the CLI's `clean`) and by folder size. */
import path from 'node:path';
import { defineOptions } from '@pactown/options';
import { codeOf } from './errors.js';
import { type ErrorFilesFs, nodeFs } from './fs.js';
import { parseErrorFileName } from './paths.js';

interface Found {
  file: string;
  size: number;
  mtimeMs: number;
}

// Temp files of writes and of header-index rewrites, dropped history files, locks.
const LEFTOVER =
  /^(?:\.service_.+_error\.log(?:\.\d+)?\.(?:\d+\.\d+\.[a-z0-9]+\.(?:tmp|old)|lock)|\.pactown-errors\.index\.\d+\.\d+\.[a-z0-9]+\.tmp)$/;

function scan(fs: ErrorFilesFs, dir: string, leftovers: boolean): Found[] {
  const out: Found[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!parseErrorFileName(name) && !(leftovers && LEFTOVER.test(name))) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.lstatSync(file);
      if (st.isFile() || st.isSymbolicLink()) out.push({ file, size: st.isFile() ? st.size : 0, mtimeMs: st.mtimeMs });
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
  }
  return out;
}

function unlinkIfExists(fs: ErrorFilesFs, file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (error) {
    if (codeOf(error) !== 'ENOENT') throw error;
  }
}

/** Removes the oldest error files until their total size is at most `maxBytes`; `keep` is never removed. */
export function enforceFolderCap(fs: ErrorFilesFs, dir: string, maxBytes: number, keep: string): string[] {
  const found = scan(fs, dir, false).sort((a, b) => a.mtimeMs - b.mtimeMs);
  let total = found.reduce((sum, f) => sum + f.size, 0);
  const removed: string[] = [];
  for (const f of found) {
    if (total <= maxBytes) break;
    if (f.file === keep) continue;
    unlinkIfExists(fs, f.file);
    total -= f.size;
    removed.push(f.file);
  }
  return removed;
}

/** Options of {@link cleanErrorFiles}. */
export interface CleanOptions {
  /** Remove files last modified more than this many milliseconds ago. */
  olderThanMs: number;
  /** List what would be removed without removing it. @default false */
  dryRun?: boolean;
  /** The reference time, epoch ms. @default Date.now() */
  now?: number;
}

const CLEAN_OPTIONS = defineOptions({
  pkg: '@pactown/error-files',
  prefix: 'PACTOWN_ERRORS',
  options: {
    olderThanMs: {
      kind: 'number',
      min: 0,
      infinity: true,
      required: true,
      doc: 'remove files last modified more than this many ms ago',
    },
    dryRun: { kind: 'boolean', default: false, doc: 'list what would be removed, remove nothing' },
    now: {
      kind: 'number',
      default: () => Date.now(),
      defaultText: '`Date.now()`',
      doc: 'the reference time, epoch ms',
    },
  },
});

/**
 * Removes error files (and leftover temp and lock files) older than
 * `olderThanMs`; resolves with the removed paths, oldest first.
 */
export async function cleanErrorFiles(dir: string, options: CleanOptions): Promise<string[]> {
  const { olderThanMs, dryRun, now } = CLEAN_OPTIONS.parse(
    options,
    'cleanErrorFiles options',
  ) as Required<CleanOptions>;
  const found = scan(nodeFs, dir, true)
    .filter((f) => now - f.mtimeMs > olderThanMs)
    .sort((a, b) => a.mtimeMs - b.mtimeMs);
  if (!dryRun) for (const f of found) unlinkIfExists(nodeFs, f.file);
  return found.map((f) => f.file);
}
