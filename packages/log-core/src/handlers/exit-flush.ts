import { flushSync } from '../lifecycle.js';
import { settings } from '../settings.js';

let armed = false;

/**
 * Python flushes every handler at exit by default; so does log-core once a
 * file is opened (never at import or handler creation): one `'exit'` listener,
 * installed on the first open, writes what every handler still holds, also
 * after `process.exit()`. `configure({ flushOnExit: false })` turns it off.
 */
export function armExitFlush(): void {
  if (armed) return;
  armed = true;
  process.on('exit', () => {
    if (settings.flushOnExit) flushSync();
  });
}
