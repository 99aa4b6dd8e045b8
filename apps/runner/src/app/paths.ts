import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// As source this file sits in src/app/, bundled it sits in dist/: the app root
// is the nearest folder above it that holds the app's package.json.
function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(from, '..');
  }
}

export const APP_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The built log page. */
export const WEB_DIR = path.join(APP_ROOT, 'dist', 'web');
