import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir, { recursive: true }) as string[])
    t = Math.max(t, statSync(path.join(dir, name)).mtimeMs);
  return t;
}

/** The CLI and multi-process tests run the built files: build when dist is missing or older than src. */
export default function setup(): void {
  let built = 0;
  try {
    built = Math.min(
      statSync(path.join(root, 'dist/cli.js')).mtimeMs,
      statSync(path.join(root, 'dist/index.js')).mtimeMs,
    );
  } catch {
    built = 0;
  }
  if (built >= newest(path.join(root, 'src'))) return;
  const build = () =>
    execFileSync(process.execPath, [path.join(root, 'node_modules/tsup/dist/cli-default.js')], {
      cwd: root,
      stdio: 'pipe',
    });
  try {
    build();
  } catch {
    // A workspace dependency may be rebuilding at this moment: try once more, then fail with tsup's output.
    build();
  }
}
