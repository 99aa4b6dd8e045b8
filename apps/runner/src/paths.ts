import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file sits one level below the app root both as source (src/paths.ts)
// and bundled (dist/*.js), so the root is one folder up either way.
export const APP_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The built log page. */
export const WEB_DIR = path.join(APP_ROOT, 'dist', 'web');
