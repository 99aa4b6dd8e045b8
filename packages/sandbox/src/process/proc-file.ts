/**
 * Reading small /proc files. `readFileSync` sizes its buffer from `fstat`,
 * which is 0 for a /proc file, so each read allocates 64 KiB outside the
 * pool; a scan of every process's `stat` then allocates megabytes for a few
 * hundred bytes each. These reads share one buffer instead.
 */
import { closeSync, openSync, readSync } from 'node:fs';

let buffer = Buffer.allocUnsafe(4096);

/** The text of a small /proc file (latin1); throws as `readFileSync` does (ENOENT, ESRCH, ...). */
export function readProcText(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString('latin1', 0, length);
  } finally {
    closeSync(fd);
  }
}
