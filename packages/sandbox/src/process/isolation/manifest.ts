/**
 * Content manifests of cached dependency environments: every entry's
 * relative path, type, mode and size, with the sha256 of each file and the
 * target of each symlink. Written when an entry is built, checked before it
 * is reused; any difference (a planted `sitecustomize.py`, a changed or
 * missing file) means the entry is discarded and rebuilt.
 */
import { createHash } from 'node:crypto';
import {
  type Dirent,
  lstatSync,
  openSync,
  readSync,
  closeSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
  readFileSync,
  renameSync,
  constants,
} from 'node:fs';
import { join } from 'node:path';

export interface ManifestEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  size: number;
  /** sha256 of a file's content, or a symlink's target. */
  digest: string | null;
}

export interface Manifest {
  version: 1;
  entries: ManifestEntry[];
}

export interface ManifestCheck {
  ok: boolean;
  /** What differs, one short line each (`changed: lib/x.py`, `added: sitecustomize.py`, `missing: bin/python`), at most 20. */
  problems: string[];
}

const CHUNK = 1024 * 1024;

function hashFile(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function typeOf(entry: Dirent): ManifestEntry['type'] {
  if (entry.isSymbolicLink()) return 'symlink';
  if (entry.isDirectory()) return 'dir';
  if (entry.isFile()) return 'file';
  return 'other';
}

/** The manifest of a folder as it is now; symlinks are recorded, never followed. */
export function buildManifest(root: string): Manifest {
  const entries: ManifestEntry[] = [];
  const stack = [''];
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const dir = rel === '' ? root : join(root, rel);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = join(root, path);
      const stat = lstatSync(full);
      const type = typeOf(entry);
      let digest: string | null = null;
      if (type === 'file') digest = hashFile(full);
      else if (type === 'symlink') digest = readlinkSync(full);
      else if (type === 'dir') stack.push(path);
      entries.push({ path, type, mode: stat.mode & 0o7777, size: type === 'file' ? stat.size : 0, digest });
    }
  }
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { version: 1, entries };
}

/** Writes the manifest of `root` to `manifestPath` (temp file and rename, so a reader never sees half of it). */
export function writeManifest(root: string, manifestPath: string): Manifest {
  const manifest = buildManifest(root);
  const temp = `${manifestPath}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(manifest), { mode: 0o644 });
  renameSync(temp, manifestPath);
  return manifest;
}

const MAX_PROBLEMS = 20;

/** Compares `root` with its manifest; a missing or unreadable manifest is a problem too. */
export function checkManifest(root: string, manifestPath: string): ManifestCheck {
  let expected: Manifest;
  try {
    expected = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (expected.version !== 1 || !Array.isArray(expected.entries)) throw new Error('unknown manifest format');
  } catch (error) {
    return { ok: false, problems: [`no usable manifest (${(error as Error).message})`] };
  }
  let actual: Manifest;
  try {
    actual = buildManifest(root);
  } catch (error) {
    return { ok: false, problems: [`unreadable entry (${(error as Error).message})`] };
  }
  const problems: string[] = [];
  const want = new Map(expected.entries.map((e) => [e.path, e]));
  for (const entry of actual.entries) {
    const was = want.get(entry.path);
    if (was === undefined) problems.push(`added: ${entry.path}`);
    else if (
      was.type !== entry.type ||
      was.mode !== entry.mode ||
      was.size !== entry.size ||
      was.digest !== entry.digest
    ) {
      problems.push(`changed: ${entry.path}`);
    }
    want.delete(entry.path);
    if (problems.length >= MAX_PROBLEMS) break;
  }
  for (const path of want.keys()) {
    if (problems.length >= MAX_PROBLEMS) break;
    problems.push(`missing: ${path}`);
  }
  return { ok: problems.length === 0, problems };
}
