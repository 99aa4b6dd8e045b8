/**
 * `tail -f`: prints what is appended to a log, following the name across
 * rotation as GNU `tail -F` does. The open file is read to its end before the
 * name is checked; when the name points to a new file, the old one is read to
 * its end once more (a writer may have added lines just before the rename),
 * then the new one from its start. Nothing written before a rotation is lost.
 */
import { closeSync, fstatSync, lstatSync, openSync, readSync, watch } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { READ_FLAGS } from '../fs.js';

/** How often the name is checked when no change event arrives (file systems without events, missed events). */
const POLL_MS = 250;
const CHUNK = 64 * 1024;

/** An open log file and where reading stopped. */
export interface Followed {
  fd: number;
  ino: number;
  dev: number;
  pos: number;
}

/** Opens `file` without following a link; `undefined` when it is not there (between rename and create). */
export function openFollowed(file: string, pos?: number): Followed | undefined {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch {
    return undefined;
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    return undefined;
  }
  return { fd, ino: st.ino, dev: st.dev, pos: pos ?? st.size };
}

/**
 * Follows `file` from `start` (which this function closes), writing new text
 * to `out`, until `signal` aborts.
 */
export function follow(
  file: string,
  start: Followed,
  out: (text: string) => void,
  signal: AbortSignal,
  pollMs = POLL_MS,
): Promise<void> {
  let current = start;
  let decoder = new StringDecoder('utf8');
  const buf = Buffer.allocUnsafe(CHUNK);

  /** Reads `f` from its position to its end. */
  const drain = (f: Followed) => {
    for (;;) {
      const n = readSync(f.fd, buf, 0, CHUNK, f.pos);
      if (n === 0) return;
      f.pos += n;
      const text = decoder.write(buf.subarray(0, n));
      if (text) out(text);
    }
  };

  const check = () => {
    drain(current);
    const named = lstatSync(file, { throwIfNoEntry: false });
    // Gone (mid-rotation) or a link planted at the name: keep reading the open file.
    if (!named?.isFile()) return;
    if (named.ino === current.ino && named.dev === current.dev) {
      // Same file, shorter than what was read: truncated in place; go on from its start.
      if (named.size < current.pos) current.pos = 0;
      return;
    }
    const next = openFollowed(file, 0);
    if (!next) return;
    // Lines written to the old file up to the rename (and by a writer that still holds it).
    drain(current);
    const rest = decoder.end();
    if (rest) out(rest);
    closeSync(current.fd);
    current = next;
    decoder = new StringDecoder('utf8');
    drain(current);
  };

  const wake = () => {
    if (signal.aborted) return;
    try {
      check();
    } catch {
      // A read failed mid-rotation: the next wake-up starts over from the name.
    }
  };

  return new Promise((resolve) => {
    const timer = setInterval(wake, pollMs);
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      // Changes in the folder (appends, renames, creates) wake the check at once.
      watcher = watch(path.dirname(file), { persistent: false }, wake);
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }
    const stop = () => {
      clearInterval(timer);
      watcher?.close();
      try {
        closeSync(current.fd);
      } catch {
        // Already closed.
      }
      resolve();
    };
    wake();
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
