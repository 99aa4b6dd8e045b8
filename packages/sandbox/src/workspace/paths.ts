/** Top-level names the runner manages itself (dependency environments). */
export const RESERVED_NAMES: readonly string[] = ['.venv', 'node_modules'];

const MAX_PATH = 1024;
const MAX_SEGMENT = 255;

/**
 * Normalizes a sandbox-relative file path (`./a//b` is not accepted, `./a/b`
 * becomes `a/b`) or explains why it is unsafe. Pure: no file system access.
 */
export function checkRelativePath(path: string): { path: string } | { problem: string } {
  const shown = JSON.stringify(path);
  if (typeof path !== 'string' || path.length === 0) return { problem: 'a file has an empty path' };
  if (path.includes('\0')) return { problem: `path ${shown} contains a NUL character` };
  if (path.includes('\\')) return { problem: `path ${shown} contains a backslash; use '/'` };
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('~')) {
    return { problem: `path ${shown} is absolute; paths must be relative to the sandbox` };
  }
  if (path.length > MAX_PATH) return { problem: `path ${shown.slice(0, 40)}... is longer than ${MAX_PATH} characters` };
  const segments = path.split('/').filter((s) => s !== '.');
  if (segments.length === 0) return { problem: `path ${shown} names the sandbox itself, not a file` };
  for (const segment of segments) {
    if (segment === '..') return { problem: `path ${shown} leaves the sandbox ('..')` };
    if (segment === '') return { problem: `path ${shown} has an empty segment` };
    if (segment.length > MAX_SEGMENT) return { problem: `path ${shown} has a segment longer than ${MAX_SEGMENT}` };
  }
  if (RESERVED_NAMES.includes(segments[0]!)) {
    return { problem: `path ${shown} is inside ${segments[0]}, which the runner manages` };
  }
  return { path: segments.join('/') };
}
