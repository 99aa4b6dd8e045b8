import type { HandlerHealth } from './handler.js';
import { liveHandlers } from './live.js';

/**
 * The state of every open handler, for an application's `/health` and
 * `/metrics`: `'degraded'` while its writes fail (it retries on its own), with
 * the records it lost (`errors`) and, for streams, the lines it dropped.
 */
export function handlerHealth(): HandlerHealth[] {
  const out: HandlerHealth[] = [];
  for (const handler of liveHandlers) {
    const health = (handler as { health?: HandlerHealth }).health;
    out.push(health ?? { name: handler.name, state: 'ok', errors: handler.errors });
  }
  return out;
}

/** Resolves once every open handler (files, streams, worker transports) has written what it was given. */
export async function flush(): Promise<void> {
  await Promise.all([...liveHandlers].map((h) => h.flush()));
}

/** Python's `logging.shutdown()`: flushes and closes every open handler. Records logged afterwards are counted as errors. */
export async function shutdown(): Promise<void> {
  await Promise.all([...liveHandlers].map((h) => h.close()));
}

/** Writes what can be written synchronously (the only thing possible in an `'exit'` listener). */
export function flushSync(): void {
  for (const handler of liveHandlers) {
    try {
      handler.flushSync?.();
    } catch {
      // Exiting: a handler that cannot flush loses its tail; others still get their turn.
    }
  }
}

/** Options of {@link handleExit}. */
export interface HandleExitOptions {
  /** Signals after which logs are flushed before the process goes down. @default ['SIGTERM', 'SIGINT'] */
  signals?: NodeJS.Signals[];
  /** Longest wait for the flush after a signal. @default 5000 */
  timeoutMs?: number;
}

let installed: (() => void) | undefined;

/** Validates {@link handleExit}'s options (`prefix` names where they came from, e.g. `'handleExit.'`) and fills in the defaults. */
export function checkHandleExitOptions(options: HandleExitOptions, prefix = ''): Required<HandleExitOptions> {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`[@pactown/log-core] Invalid handleExit options: ${String(options)}; expected an object.`);
  }
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  if (!Array.isArray(signals) || !signals.every((s) => typeof s === 'string' && s.startsWith('SIG'))) {
    throw new TypeError(`[@pactown/log-core] Invalid option ${prefix}signals: ${String(signals)}; expected signal names like 'SIGTERM'.`);
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
    throw new TypeError(`[@pactown/log-core] Invalid option ${prefix}timeoutMs: ${String(timeoutMs)}; expected a number >= 0.`);
  }
  return { signals, timeoutMs };
}

/**
 * Opt-in: flush on normal exit (`'exit'`, including `process.exit()`), and on
 * the given signals. After a signal, when nothing else listens for it, the
 * signal is raised again once logs are flushed, so the process ends as it would have;
 * when the application has its own listener, it decides when to exit.
 * Returns a function that removes the listeners. Calling it twice installs once.
 */
export function handleExit(options: HandleExitOptions = {}): () => void {
  const { signals, timeoutMs } = checkHandleExitOptions(options);
  if (installed !== undefined) return installed;

  const onExit = () => flushSync();
  const onSignal = (signal: NodeJS.Signals) => {
    const others = process.listenerCount(signal) - 1;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    void Promise.race([flush(), timeout]).then(() => {
      clearTimeout(timer);
      if (others > 0) return;
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    });
  };
  process.on('exit', onExit);
  for (const signal of signals) process.on(signal, onSignal);
  installed = () => {
    process.removeListener('exit', onExit);
    for (const signal of signals) process.removeListener(signal, onSignal);
    installed = undefined;
  };
  return installed;
}
