import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: string | undefined;

/**
 * A folder of this process's own for the benchmark services' cwd (the sandbox refuses the shared
 * temp folder itself), created on first use and removed when the process exits.
 */
export function serviceDir(): string {
  if (!dir) {
    const created = mkdtempSync(join(tmpdir(), 'pactown-bench-'));
    dir = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return dir;
}
