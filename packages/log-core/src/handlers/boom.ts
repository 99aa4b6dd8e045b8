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

function idle(boom: SonicBoom): boolean {
  const state = boom as unknown as BoomState;
  return state.destroyed || (!state._writing && state._len === 0);
}

/** Resolves once everything written to `boom` so far has reached the file (or the stream failed). */
export async function drained(boom: SonicBoom): Promise<void> {
  while (!idle(boom)) {
    await new Promise<void>((resolve) => {
      const events = ['drain', 'ready', 'error', 'close', 'write'] as const;
      const done = () => {
        for (const e of events) boom.off(e, done);
        resolve();
      };
      for (const e of events) boom.once(e, done);
    });
  }
}

/** Ends `boom` (writing what it holds) and resolves when its file is closed. */
export function endBoom(boom: SonicBoom): Promise<void> {
  const state = boom as unknown as BoomState;
  if (state.destroyed) return Promise.resolve();
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
