/** `tail --follow`: prints what is appended to a log, across rotation, until stopped. */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { READ_FLAGS } from '../fs.js';

const POLL_MS = 200;

/** Reads bytes `[from, to)` of `file`. */
async function readRange(file: string, from: number, to: number): Promise<Buffer> {
  const handle = await open(file, READ_FLAGS);
  try {
    const buf = Buffer.alloc(to - from);
    const { bytesRead } = await handle.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * Polls `file` and writes new bytes to `out` from `start` on. A new inode or a
 * shorter file (rotation, truncation) starts over at 0. Resolves when `signal` aborts.
 */
export function follow(file: string, start: { size: number; ino: number }, out: (text: string) => void, signal: AbortSignal): Promise<void> {
  let pos = start.size;
  let ino = start.ino;
  let busy = false;
  const decoder = new StringDecoder('utf8');
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      const st = await stat(file).catch(() => undefined);
      if (!st) return;
      if (st.ino !== ino || st.size < pos) {
        ino = st.ino;
        pos = 0;
      }
      if (st.size > pos) {
        const chunk = await readRange(file, pos, st.size);
        pos += chunk.length;
        const text = decoder.write(chunk);
        if (text) out(text);
      }
    } catch {
      // Rotated away between stat and open: the next poll sees the new file.
    } finally {
      busy = false;
    }
  };
  return new Promise((resolve) => {
    const timer = setInterval(check, POLL_MS);
    const stop = () => {
      clearInterval(timer);
      resolve();
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
}
