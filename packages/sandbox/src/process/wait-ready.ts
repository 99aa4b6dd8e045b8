/**
 * Waiting for a started service to become ready: by HTTP health, an open
 * port, or an output line. The wait ends at once when the process dies.
 */
import type { ServiceRecords } from './service-records.js';
import { defineOptions } from '@pactown/options';
import { type HttpProbeOptions, type PollOutcome, poll, probeHttp, probePort } from './readiness.js';
import type { DiedReport, ServiceLogRecord } from './types.js';
import { CODES, sandboxError } from '../errors.js';

export interface ReadyOptions {
  /** Poll HTTP: a port, or probe options (`path` default `/health`, then `/`). */
  http?: number | HttpProbeOptions;
  /** Wait for a TCP port to accept connections. */
  port?: number | { port: number; host?: string };
  /** Wait for an output line (stdout or stderr) matching this. */
  pattern?: RegExp | string;
  /** @default 10000 */
  timeoutMs?: number;
  /** Interval of `⏳ Waiting for server to start... elapsed=Ns` lines. @default 5000 */
  heartbeatMs?: number;
  /** Shortest pause between probes (the pause is a tenth of the time waited so far, within these bounds). @default 5 */
  minIntervalMs?: number;
  /** Longest pause between probes. @default 20 */
  maxIntervalMs?: number;
  /** Stop the service (clean stop) when the time is up. @default true */
  stopOnTimeout?: boolean;
  /** Ends the wait early, leaving the service running. */
  signal?: AbortSignal;
}

export type ReadyResult =
  | {
      ready: true;
      kind: 'http' | 'port' | 'pattern';
      /** HTTP status (http), else `null`. */
      status: number | null;
      /** The path that answered (http), else `null`. */
      path: string | null;
      /** The matching line (pattern), else `null`. */
      line: string | null;
      elapsedMs: number;
    }
  | {
      ready: false;
      reason: 'died' | 'timeout' | 'aborted';
      elapsedMs: number;
      /** The died report (`died`, and `timeout` when the service was stopped). */
      report: DiedReport | null;
    };

/** What `waitReady` needs from the process it waits for. */
export interface ReadyControl {
  log: ServiceRecords;
  ended: Promise<DiedReport>;
  running(): boolean;
  onLine(listener: (record: ServiceLogRecord) => void): () => void;
  /** The lines already captured (both tails), masked like the lines `onLine` delivers. */
  recentLines(): string[];
  timeout(timeoutMs: number, message: string): Promise<DiedReport>;
}

type Found = { kind: 'http' | 'port' | 'pattern'; status: number | null; path: string | null; line: string | null };

function waitForLine(
  ctl: ReadyControl,
  re: RegExp,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<PollOutcome<Found>> {
  return new Promise((resolve) => {
    const finish = (outcome: PollOutcome<Found>): void => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = (): void => finish({ done: false, reason: 'aborted' });
    const off = ctl.onLine((record) => {
      if (record.stream !== 'system' && re.test(record.message)) {
        finish({ done: true, value: { kind: 'pattern', status: null, path: null, line: record.message } });
      }
    });
    const timer = setTimeout(() => finish({ done: false, reason: 'timeout' }), timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    const seen = ctl.recentLines().find((l) => re.test(l));
    if (seen !== undefined) finish({ done: true, value: { kind: 'pattern', status: null, path: null, line: seen } });
  });
}

function checkOne(options: ReadyOptions): void {
  const given = [options.http, options.port, options.pattern].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw sandboxError(
      TypeError,
      CODES.INVALID_OPTION,
      `waitReady needs exactly one of http, port or pattern, got ${given}`,
    );
  }
}

const positive = {
  kind: 'number',
  want: 'a positive number',
  check: (v: number) => (v > 0 ? undefined : 'a positive number'),
} as const;
const PORT = { kind: 'integer', min: 1, max: 65535, want: 'a port number (1-65535)' } as const;
const READY_OPTIONS = defineOptions({
  pkg: '@pactown/sandbox',
  prefix: 'PACTOWN_SANDBOX',
  options: {
    http: 'any',
    port: 'any',
    pattern: 'any',
    timeoutMs: { ...positive, default: 10_000 },
    heartbeatMs: { ...positive, default: 5_000 },
    minIntervalMs: { kind: 'integer', min: 0, want: 'a non-negative integer', default: 5 },
    maxIntervalMs: { ...positive, default: 20 },
    stopOnTimeout: 'boolean',
    signal: 'any',
  },
});
const HTTP_PROBE = defineOptions({
  pkg: '@pactown/sandbox',
  prefix: 'PACTOWN_SANDBOX',
  options: { port: { ...PORT, required: true }, host: 'string', path: 'string', requestTimeoutMs: positive },
});
const PORT_PROBE = defineOptions({
  pkg: '@pactown/sandbox',
  prefix: 'PACTOWN_SANDBOX',
  options: { port: { ...PORT, required: true }, host: 'string' },
});

export async function waitReady(ctl: ReadyControl, input: ReadyOptions): Promise<ReadyResult> {
  const options = READY_OPTIONS.parse(input, 'waitReady options') as ReadyOptions &
    Required<Pick<ReadyOptions, 'timeoutMs' | 'heartbeatMs' | 'minIntervalMs' | 'maxIntervalMs'>>;
  checkOne(options);
  const { timeoutMs, heartbeatMs, minIntervalMs, maxIntervalMs } = options;
  const start = Date.now();
  const { log } = ctl;
  log.system('info', 'Waiting for server to start...');
  if (!ctl.running()) {
    return { ready: false, reason: 'died', elapsedMs: Date.now() - start, report: await ctl.ended };
  }
  const stopProbe = new AbortController();
  const onCallerAbort = (): void => stopProbe.abort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) stopProbe.abort();
  const heartbeat = setInterval(() => {
    const elapsed = Math.round((Date.now() - start) / 1000);
    log.system('info', `⏳ Waiting for server to start... elapsed=${elapsed}s`);
  }, heartbeatMs);
  heartbeat.unref?.();

  // A line of the service's output often means it is listening now: it ends the pause before the next probe.
  const nudges = (nudge: () => void) =>
    ctl.onLine((record) => {
      if (record.stream !== 'system') nudge();
    });
  const pollOptions = { timeoutMs, signal: stopProbe.signal, minIntervalMs, maxIntervalMs, nudges };
  let probe: Promise<PollOutcome<Found>>;
  if (options.http !== undefined) {
    const http = HTTP_PROBE.parse(
      typeof options.http === 'number' ? { port: options.http } : options.http,
      'waitReady http',
    ) as HttpProbeOptions;
    // Until something listens, a bare TCP connect answers the question at a third of the CPU of an
    // HTTP request: with many services starting at once, the probes compete with them for the CPU.
    let listening = false;
    probe = poll(async () => {
      if (!listening && !(await probePort(http.port, http.host, http.requestTimeoutMs))) return null;
      listening = true;
      const r = await probeHttp(http);
      return r === null ? null : { kind: 'http' as const, status: r.status, path: r.path, line: null };
    }, pollOptions);
  } else if (options.port !== undefined) {
    const target = PORT_PROBE.parse(
      typeof options.port === 'number' ? { port: options.port } : options.port,
      'waitReady port',
    ) as { port: number; host?: string };
    probe = poll(
      async () =>
        (await probePort(target.port, target.host))
          ? { kind: 'port' as const, status: null, path: null, line: null }
          : null,
      pollOptions,
    );
  } else {
    const re = typeof options.pattern === 'string' ? new RegExp(options.pattern) : options.pattern!;
    probe = waitForLine(ctl, re, timeoutMs, stopProbe.signal);
  }
  const died = ctl.ended.then((report) => ({ died: report }));
  const first = await Promise.race([probe.then((outcome) => ({ outcome })), died]);
  clearInterval(heartbeat);
  stopProbe.abort();
  options.signal?.removeEventListener('abort', onCallerAbort);
  const elapsedMs = Date.now() - start;

  if ('died' in first) return { ready: false, reason: 'died', elapsedMs, report: first.died };
  const { outcome } = first;
  if (outcome.done) {
    const found = outcome.value;
    if (found.kind === 'http') log.system('info', `✓ Server responding (status ${found.status})`);
    else if (found.kind === 'port') log.system('info', '✓ Server accepting connections');
    else log.system('info', '✓ Server ready (output matched)');
    return { ready: true, ...found, elapsedMs };
  }
  if (outcome.reason === 'aborted') {
    // Aborted by the caller, or the process died at the same moment.
    if (!ctl.running()) return { ready: false, reason: 'died', elapsedMs, report: await ctl.ended };
    return { ready: false, reason: 'aborted', elapsedMs, report: null };
  }
  const seconds = Math.round(timeoutMs / 100) / 10;
  const message = `⏱️ Health check timed out after ${seconds}s - process still running: ${ctl.running()}`;
  log.system('error', message);
  const report = options.stopOnTimeout === false ? null : await ctl.timeout(timeoutMs, message);
  return { ready: false, reason: 'timeout', elapsedMs, report };
}
