import { CODES, coreError } from './codes.js';
import type { HandlerHealth } from './handler.js';
import { liveHandlers } from './live.js';
import { checkKeys, KNOWN } from './known-options.js';

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

/**
 * The key (for `Symbol.for`) of the exit registry on `globalThis`, shared by
 * every copy of log-core and by other packages without importing each other:
 * `{ version: 1, exiter?: string, tasks: Set<(signal) => unknown>, cooperative: Set<Function> }`.
 * While `handleExit()` is installed, `exiter` is `'@pactown/log-core'`: on a
 * signal it awaits every `tasks` entry (stop services), flushes, then ends the
 * process. A package with its own signal listener adds it to `cooperative`
 * (so it is not taken for the application's) and, while `exiter` is set,
 * leaves the exit to it.
 */
export const EXIT_REGISTRY_KEY = 'pactown.exit';

/** The shared exit registry (see {@link EXIT_REGISTRY_KEY}). */
export interface ExitRegistry {
  readonly version: 1;
  exiter: string | undefined;
  readonly tasks: Set<(signal: NodeJS.Signals) => unknown>;
  readonly cooperative: Set<(...args: any[]) => unknown>;
}

/** The process's exit registry, created on first use (not at import). */
export function exitRegistry(): ExitRegistry {
  const g = globalThis as unknown as Record<symbol, ExitRegistry | undefined>;
  const key = Symbol.for(EXIT_REGISTRY_KEY);
  g[key] ??= { version: 1, exiter: undefined, tasks: new Set(), cooperative: new Set() };
  return g[key]!;
}

/** Adds work that must finish before logs are flushed and the process ends on a signal (stopping services). Returns its remover. */
export function registerExitTask(task: (signal: NodeJS.Signals) => unknown): () => void {
  if (typeof task !== 'function')
    throw coreError(
      CODES.INVALID_ARGUMENT,
      `[@pactown/log-core] registerExitTask() takes a function, not ${typeof task}.`,
    );
  const tasks = exitRegistry().tasks;
  tasks.add(task);
  return () => tasks.delete(task);
}

/** signal-exit's listeners re-raise a signal only when they are alone: they wait for us, so they do not count as an application's. */
function signalExitListeners(): number {
  const v4 = (globalThis as unknown as Record<symbol, { count?: unknown } | undefined>)[
    Symbol.for('signal-exit emitter')
  ];
  const v3 = (process as unknown as { __signal_exit_emitter__?: { count?: unknown } }).__signal_exit_emitter__;
  return (typeof v4?.count === 'number' ? v4.count : 0) + (typeof v3?.count === 'number' ? v3.count : 0);
}

/** Validates {@link handleExit}'s options (`prefix` names where they came from, e.g. `'handleExit.'`) and fills in the defaults. */
export function checkHandleExitOptions(options: HandleExitOptions, prefix = ''): Required<HandleExitOptions> {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid handleExit options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.handleExit, prefix === '' ? 'handleExit()' : prefix.slice(0, -1));
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  if (!Array.isArray(signals) || !signals.every((s) => typeof s === 'string' && s.startsWith('SIG'))) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option ${prefix}signals: ${String(signals)}; expected signal names like 'SIGTERM'.`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs >= 0)) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option ${prefix}timeoutMs: ${String(timeoutMs)}; expected a number >= 0.`,
    );
  }
  return { signals, timeoutMs };
}

/**
 * Opt-in: flush on normal exit (`'exit'`, including `process.exit()`), and on
 * the given signals. After a signal, when nothing else listens for it, every
 * handler is closed (worker transports end their targets) and the signal is
 * raised again, so the process ends as it would have; when the application
 * has its own listener, handlers are flushed and it decides when to exit.
 * Returns a function that removes the listeners. Calling it twice installs once.
 */
export function handleExit(options: HandleExitOptions = {}): () => void {
  const { signals, timeoutMs } = checkHandleExitOptions(options);
  if (installed !== undefined) return installed;

  const onExit = () => flushSync();
  const registry = exitRegistry();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const listeners = process.listeners(signal).filter((l) => l !== onSignal && !registry.cooperative.has(l));
    const others = listeners.length - signalExitListeners();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    const work = (async () => {
      await Promise.allSettled([...registry.tasks].map(async (task) => task(signal)));
      // Going down: every handler is closed, so a worker transport ends its target (which may hold a
      // batch until then) and 'exit' listeners, which a raised signal never runs, are not needed.
      // With the application's own listener, it decides: the handlers are only flushed.
      await (others > 0 ? flush() : shutdown());
    })();
    void Promise.race([work, timeout]).then(() => {
      clearTimeout(timer);
      stopping = false;
      // An application's own listener decides when to exit.
      if (others > 0) return;
      // Cooperating listeners would catch the raised signal again: they are done, take them off first.
      for (const l of registry.cooperative) process.removeListener(signal, l as (s: NodeJS.Signals) => void);
      process.removeListener(signal, onSignal);
      // signal-exit's listeners, now alone, run their exit hooks and raise it again; otherwise the default action ends us.
      process.kill(process.pid, signal);
    });
  };
  process.on('exit', onExit);
  for (const signal of signals) process.on(signal, onSignal);
  registry.exiter = '@pactown/log-core';
  installed = () => {
    if (registry.exiter === '@pactown/log-core') registry.exiter = undefined;
    process.removeListener('exit', onExit);
    for (const signal of signals) process.removeListener(signal, onSignal);
    installed = undefined;
  };
  return installed;
}
