import fs from 'node:fs';
import path from 'node:path';
import SonicBoom from 'sonic-boom';

/** The fields of SonicBoom read to know whether it still holds unwritten data. */
interface BoomState {
  _writing: boolean;
  _len: number;
  destroyed: boolean;
}

/** An asynchronous SonicBoom appending to `filename` (folder created), with errors routed to `onError`. */
export function openBoom(filename: string, onError: (error: Error) => void): SonicBoom {
  const boom = new SonicBoom({ dest: filename, append: true, mkdir: true, sync: false });
  boom.on('error', onError);
  return boom;
}

/**
 * Opens `filename` for appending synchronously (folder created) and wraps the
 * descriptor in an asynchronous SonicBoom. The descriptor is bound to the file
 * at once, so a rename right after still sends queued lines to the right file.
 */
export function openBoomNow(filename: string, onError: (error: Error) => void): { boom: SonicBoom; size: number } {
  fs.mkdirSync(path.dirname(filename), { recursive: true });
  const fd = fs.openSync(filename, 'a');
  const size = fs.fstatSync(fd).size;
  const boom = new SonicBoom({ fd, sync: false });
  boom.on('error', onError);
  return { boom, size };
}

function idle(boom: SonicBoom): boolean {
  const state = boom as unknown as BoomState;
  return state.destroyed || (!state._writing && state._len === 0);
}

/** Resolves once everything written to `boom` so far has reached the file (or the stream failed). */
export async function drained(boom: SonicBoom): Promise<void> {
  const events = ['drain', 'ready', 'write', 'error', 'close'] as const;
  while (!idle(boom)) {
    const event = await new Promise<string>((resolve) => {
      const listeners = events.map((e) => {
        const listener = () => {
          for (let i = 0; i < events.length; i++) boom.off(events[i]!, listeners[i]!);
          resolve(e);
        };
        boom.on(e, listener);
        return listener;
      });
    });
    // A failed or closed stream will never drain: what it held is lost (and counted by the handler).
    if (event === 'error' || event === 'close') return;
  }
}

/** Ends `boom` (writing what it holds) and resolves when its file is closed; a failed one is just destroyed. */
export function endBoom(boom: SonicBoom, failed = false): Promise<void> {
  const state = boom as unknown as BoomState & { fd: number };
  if (state.destroyed) return Promise.resolve();
  if (failed || (state.fd < 0 && !state._writing)) {
    try {
      boom.destroy();
    } catch {
      // Already torn down.
    }
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    boom.once('close', () => resolve());
    boom.once('error', () => resolve());
    try {
      boom.end();
    } catch {
      resolve();
    }
  });
}

/** Writes what `boom` holds synchronously; never throws (used while the process exits). */
export function flushBoomSync(boom: SonicBoom): void {
  const state = boom as unknown as BoomState & { fd: number };
  if (state.destroyed || state.fd < 0 || idle(boom)) return;
  try {
    boom.flushSync();
  } catch {
    // A write is in flight or the file is gone: nothing more can be done synchronously.
  }
}
