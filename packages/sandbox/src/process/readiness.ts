/**
 * Readiness probes and the polling loop. The pause between probes is a
 * tenth of the time waited so far, at least 5 ms and at most 20 ms: readiness
 * is noticed within about a tenth of the time it took (a service that is
 * ready later is not also noticed later in proportion, as it was when the
 * pause grew with each attempt), while an idle wait costs ~50 cheap
 * connection attempts a second. A nudge (the service wrote a line, which is
 * often its "listening on ..." line) ends a pause early, so readiness is
 * noticed when the service says something rather than at the next tick;
 * probes still start at least the shortest pause apart.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { sleep } from './group.js';

/** An HTTP answer that counts as ready. */
export interface HttpReady {
  status: number;
  path: string;
}

export interface HttpProbeOptions {
  port: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** First path to try; `/` is tried next. @default '/health' */
  path?: string;
  /** Per-request timeout. @default 1000 */
  requestTimeoutMs?: number;
}

function httpStatus(host: string, port: number, path: string, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
    req.end();
  });
}

/**
 * The original's rule: ready when the status is below 500, except a 404 on a
 * path other than `/`. Tries `path`, then `/`; `null` when not ready.
 */
export async function probeHttp(options: HttpProbeOptions): Promise<HttpReady | null> {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/health';
  const timeoutMs = options.requestTimeoutMs ?? 1000;
  const first = await httpStatus(host, options.port, path, timeoutMs);
  if (first === null) return null; // nothing listening yet: no point asking for '/'
  if (first < 500 && !(first === 404 && path !== '/')) return { status: first, path };
  if (path === '/') return null;
  const root = await httpStatus(host, options.port, '/', timeoutMs);
  if (root !== null && root < 500) return { status: root, path: '/' };
  return null;
}

/** `true` when a TCP connection to the port succeeds. */
export function probePort(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface PollOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** Ends the wait early. */
  signal?: AbortSignal;
  /** Shortest pause between attempts (the pause is a tenth of the time waited so far, within these bounds). @default 5 */
  minIntervalMs?: number;
  /** Longest pause between attempts. @default 20 */
  maxIntervalMs?: number;
  /**
   * Subscribes to hints that the target may be ready now (returns the
   * unsubscribe function): a hint ends the pause early, though never sooner
   * than `minIntervalMs` after the previous attempt started.
   */
  nudges?: (nudge: () => void) => () => void;
}

export type PollOutcome<T> = { done: true; value: T } | { done: false; reason: 'timeout' | 'aborted' };

/** Calls `probe` until it returns non-null, the time is up, or the signal aborts. */
export async function poll<T>(probe: () => Promise<T | null>, options: PollOptions): Promise<PollOutcome<T>> {
  const started = Date.now();
  const deadline = started + options.timeoutMs;
  const max = options.maxIntervalMs ?? 20;
  const min = Math.min(options.minIntervalMs ?? 5, max);
  const { signal } = options;
  // A hint that came during an attempt (or a pause) counts for the next pause.
  let nudged = false;
  let wake: (() => void) | null = null;
  const unsubscribe = options.nudges?.(() => {
    nudged = true;
    wake?.();
  });
  try {
    for (;;) {
      if (signal?.aborted) return { done: false, reason: 'aborted' };
      const attempt = Date.now();
      nudged = false;
      const value = await probe();
      if (signal?.aborted) return { done: false, reason: 'aborted' };
      if (value !== null) return { done: true, value };
      const now = Date.now();
      const left = deadline - now;
      if (left <= 0) return { done: false, reason: 'timeout' };
      const pause = Math.min(pauseAfter(now - started, min, max), left);
      if (unsubscribe === undefined) {
        await sleep(pause, signal);
        continue;
      }
      // The pause, ended early by a hint once the shortest pause since this attempt is over.
      const floor = Math.min(Math.max(0, attempt + min - now), pause);
      if (floor > 0) await sleep(floor, signal);
      if (!nudged && pause > floor) {
        await new Promise<void>((resolve) => {
          if (signal?.aborted) return resolve();
          const done = (): void => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            wake = null;
            resolve();
          };
          const timer = setTimeout(done, pause - floor);
          signal?.addEventListener('abort', done, { once: true });
          wake = done;
        });
      }
    }
  } finally {
    unsubscribe?.();
  }
}

function pauseAfter(waitedMs: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, waitedMs / 10));
}

/** Waits for an HTTP service to answer by the original's rules (no process attached). */
export function waitForHttp(options: HttpProbeOptions & PollOptions): Promise<PollOutcome<HttpReady>> {
  return poll(() => probeHttp(options), options);
}

/** Waits for a TCP port to accept connections (no process attached). */
export function waitForPort(options: { port: number; host?: string } & PollOptions): Promise<PollOutcome<true>> {
  return poll(async () => ((await probePort(options.port, options.host)) ? true : null), options);
}
