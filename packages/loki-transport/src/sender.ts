import { performance } from 'node:perf_hooks';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from './backoff.js';
import type { HttpClient, HttpResult } from './http.js';
import { CODES } from './codes.js';
import type { Counters } from './metrics.js';
import type { NormalizedOptions } from './options.js';
import { type Payload, payloadHeaders, splitPayload } from './payload.js';
import type { BatchQueue, QueueItem } from './queue.js';
import type { Spool } from './spool.js';

const TOTAL_IGNORED = /total ignored: (\d+) out of \d+/;
const LISTED_ENTRY = /^entry with timestamp .* ignored, reason:/;
const ENTRY_ERROR =
  /^(entry for stream '|max entry size '|stream '.*' (has structured metadata too large|has too many structured metadata|includes structured metadata))/i;
// Loki 3 groups validation errors of one push: `2 errors like: <first>; 1 errors like: <second>`.
const GROUP = /^(\d+) errors like: ([\s\S]*)$/;

/**
 * How many lines a 400 answer says Loki ignored, read from the messages Loki
 * writes: one line per entry that failed validation, and the ingester's
 * "total ignored: N out of M" per stream. Null when some line is of another
 * kind (a refused label set, an unknown message): then the whole batch counts.
 */
export function ignoredLines(body: string): number | null {
  let total = 0;
  let found = false;
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '' || LISTED_ENTRY.test(line)) continue;
    const m = TOTAL_IGNORED.exec(line);
    if (m) total += Number(m[1]);
    else if (GROUP.test(line)) {
      for (const part of line.split(/; (?=\d+ errors like: )/)) {
        const g = GROUP.exec(part);
        if (g === null || !ENTRY_ERROR.test(g[2]!)) return null;
        total += Number(g[1]);
      }
    } else if (ENTRY_ERROR.test(line)) total += 1;
    else return null;
    found = true;
  }
  return found ? total : null;
}

// Loki's 429 for the tenant's ingestion rate: `... (limit: 4194304 bytes/sec) while attempting to ingest ...`.
const INGESTION_RATE = /ingestion rate limit exceeded[^(]*\(limit: (\d+) bytes\/sec\)/i;
/** Share of the named rate a paced client uses (Loki's limiter also counts structured metadata). */
const PACE_SHARE = 0.9;
/** How long a rate named by a 429 paces the client after its last 429. */
const PACE_MS = 60_000;
/** A batch whose pushes time out is given up to this many times `timeout` per attempt. */
const MAX_TIMEOUT_FACTOR = 4;

/** The ingestion rate (bytes/s) a Loki 429 body names, or null. */
export function ingestionRate(body: string): number | null {
  const m = INGESTION_RATE.exec(body);
  if (m === null) return null;
  const rate = Number(m[1]);
  return Number.isFinite(rate) && rate > 0 ? rate : null;
}

/**
 * Sends the queue's batches, up to `maxInFlight` at once, with Loki's retry
 * rules: 429/5xx/timeouts/connection errors back off with full jitter (or as
 * `Retry-After` says, up to `maxBackoff`), other 4xx are dropped, 413 is
 * split in halves; a request that cannot be made at all is dropped. A batch
 * being retried keeps its slot; the other slots go on sending. Retries have
 * no count by default (`maxRetries: Infinity`): Loki drops exact duplicates,
 * so a push that timed out is sent again safely, and what bounds an outage is
 * the queue (its evictions are counted as `queue_full`) and close().
 */
export class Sender {
  #o: NormalizedOptions;
  #http: HttpClient;
  #counters: Counters;
  #queue: BatchQueue;
  #spool: Spool | null;
  #warned = new Set<string>();
  #stopped = false;
  #wakers = new Set<() => void>();
  /** Backoff waits for an error, ended early by an accepted push. */
  #backoffs = new Set<() => void>();
  #idle: Array<() => void> = [];
  /** After a 429, no slot starts a request before this time (ms since the epoch). */
  #holdUntil = 0;
  #holdTimer: NodeJS.Timeout | null = null;
  /** Send slots in use: `maxInFlight`, down to 1 after a 429, doubled back by each accepted push. */
  #slots: number;
  /** The tenant's ingestion rate (bytes/s) a 429 named, paced to until `#paceUntil`; 0 when none. */
  #paceRate = 0;
  #paceUntil = 0;
  /** With a pace, the earliest time the next batch may start. */
  #nextStart = 0;
  /** Why the last attempt failed (shown when lines are given up at close or exit). */
  get lastError(): string | null {
    return this.#counters.lastError;
  }

  set lastError(reason: string | null) {
    this.#counters.lastError = reason;
  }
  /** Called after the queue shrinks (backpressure waiters, a batch held back by backlog). */
  onShrink: () => void = () => {};
  /** Called when the last queued batch is done and nothing is in flight. */
  onIdle: () => void = () => {};
  /** Called when a spool write fails (the batch stays in memory). */
  onSpoolError: (err: Error) => void = () => {};

  constructor(o: NormalizedOptions, http: HttpClient, counters: Counters, queue: BatchQueue, spool: Spool | null) {
    this.#o = o;
    this.#http = http;
    this.#counters = counters;
    this.#queue = queue;
    this.#spool = spool;
    this.#slots = o.maxInFlight;
  }

  /** Logs a warning once per kind. */
  warnOnce(kind: string, message: string): void {
    if (this.#warned.has(kind)) return;
    this.#warned.add(kind);
    this.#o.onWarning(message);
  }

  /** A request is in flight. */
  get busy(): boolean {
    return this.#queue.inFlight > 0;
  }

  /** Every send slot is taken. */
  get saturated(): boolean {
    return this.#queue.inFlight >= this.#o.maxInFlight;
  }

  set spool(spool: Spool | null) {
    this.#spool = spool;
  }

  kick(): void {
    const hold = this.#holdUntil - Date.now();
    if (hold > 0 && !this.#stopped) {
      // Paced after a 429: the queue waits for the hold to end (a batch being retried waits too).
      if (this.#holdTimer === null) {
        this.#holdTimer = setTimeout(() => {
          this.#holdTimer = null;
          this.kick();
        }, hold);
        this.#holdTimer.unref();
      }
      return;
    }
    while (!this.#stopped && this.#queue.inFlight < Math.min(this.#slots, this.#o.maxInFlight)) {
      if (this.#paceRate > 0 && this.#queue.length > 0) {
        const now = Date.now();
        if (now >= this.#paceUntil) this.#paceRate = 0;
        else if (this.#nextStart > now) {
          this.#holdUntil = this.#nextStart;
          this.kick();
          return;
        }
      }
      const item = this.#queue.take();
      if (item === undefined) break;
      if (this.#paceRate > 0)
        this.#nextStart = Math.max(Date.now(), this.#nextStart) + (item.lineBytes / this.#paceRate) * 1000;
      void this.#send(item);
    }
    if (this.#queue.length === 0 || this.#stopped) this.#settle();
  }

  async #send(item: QueueItem): Promise<void> {
    try {
      await this.#deliver(item);
    } catch (err) {
      // Nothing here is expected to throw; if something does, the batch is dropped and counted, never left as an unhandled rejection.
      this.#failed(item, err instanceof Error ? err.message : String(err));
    }
    if (this.#stopped) {
      this.#queue.release(item);
      if (this.#queue.inFlight === 0) this.#settle();
      return;
    }
    this.kick();
    this.onShrink();
  }

  #settle(): void {
    if (this.#queue.inFlight > 0) return;
    const waiters = this.#idle;
    this.#idle = [];
    for (const w of waiters) w();
    if (!this.#stopped && this.#queue.length === 0) this.onIdle();
  }

  /** Resolves when the queue is empty and nothing is in flight (or, once stopped, when nothing is in flight). */
  whenIdle(): Promise<void> {
    if (this.#queue.inFlight === 0 && (this.#queue.length === 0 || this.#stopped)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops after the current attempts; backoff waits end at once. */
  stop(): void {
    this.#stopped = true;
    if (this.#holdTimer !== null) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
    for (const wake of [...this.#wakers]) wake();
    if (this.#queue.inFlight === 0) this.#settle();
  }

  #finish(item: QueueItem): void {
    this.#queue.done(item);
    if (item.file !== null) this.#spool?.remove(item.file);
  }

  #body(item: QueueItem): Buffer | null {
    if (item.body !== null) return item.body;
    try {
      return this.#spool!.read(item.file!);
    } catch (err) {
      this.warnOnce(
        'spool-read',
        `${CODES.SPOOL_READ}: could not read spooled batch ${item.file}: ${(err as Error).message}; its lines are counted as rejected`,
      );
      return null;
    }
  }

  async #deliver(item: QueueItem): Promise<void> {
    const body = this.#body(item);
    if (body === null) {
      this.#counters.drop('rejected', item.lines, item.lineBytes);
      this.#finish(item);
      return;
    }
    const headers = { ...this.#o.headers, ...payloadHeaders(item) };
    // A push that timed out may still land (Loki ignores the exact duplicates of a retry); a Loki
    // that slow gets more time on the next attempts: twice the timeout each time, up to 4 times it.
    let timeout = this.#o.timeout;
    // `step` is the backoff's exponent: it restarts when another push is accepted meanwhile.
    for (let attempt = 0, step = 0; ; attempt++, step++) {
      const t0 = performance.now();
      const res = await this.#http.request('POST', this.#o.pushUrl, headers, body, timeout);
      if (res.kind === 'timeout') timeout = Math.min(timeout * 2, this.#o.timeout * MAX_TIMEOUT_FACTOR);
      this.#counters.requests++;
      this.#counters.observe(performance.now() - t0);
      if (res.kind === 'error') {
        this.#failed(item, res.message);
        return;
      }
      if (!(res.kind === 'response' && res.status >= 200 && res.status < 300)) this.lastError = describe(res);
      // Stopped while waiting: the batch stays in the queue (and the spool) for close() to account for;
      // a refusal that arrives after stop() starts no retry wait (close() would wait it out).
      if (this.#stopped && !(res.kind === 'response' && (res.status < 300 || !isRetryableStatus(res.status)))) return;
      if (res.kind === 'response' && res.status >= 200 && res.status < 300) {
        if (this.#slots < this.#o.maxInFlight) this.#slots = Math.min(this.#o.maxInFlight, this.#slots * 2);
        // Loki takes pushes again: the batches waiting out a backoff for an error try now.
        this.#wakeBackoffs();
        this.#counters.sentLines += item.lines;
        this.#counters.sentBytes += item.lineBytes;
        this.#counters.wireBytes += body.length;
        this.#finish(item);
        return;
      }
      if (res.kind === 'response' && !isRetryableStatus(res.status)) {
        this.#reject(item, body, res);
        return;
      }
      if (attempt >= this.#o.maxRetries) {
        this.#counters.drop('retries_exhausted', item.lines, item.lineBytes);
        this.warnOnce(
          'retries_exhausted',
          `${CODES.RETRIES_EXHAUSTED}: dropped a batch of ${item.lines} lines after ${attempt + 1} attempts; last: ${describe(res)}`,
        );
        this.#finish(item);
        return;
      }
      const hinted = res.kind === 'response' ? parseRetryAfter(res.retryAfter) : null;
      let delay =
        hinted !== null
          ? Math.min(hinted, this.#o.maxBackoff)
          : backoffDelay(step, this.#o.minBackoff, this.#o.maxBackoff);
      if (res.kind === 'response' && res.status === 429) {
        // Rate limited (Loki's ingestion limit is per tenant): every slot holds for the backoff, and
        // sending resumes one request at a time, widening again as pushes are accepted. When the
        // answer names the tenant's rate, batches are started no faster than it for the next minute.
        this.#counters.throttled++;
        this.#slots = 1;
        const rate = ingestionRate(res.body);
        if (rate !== null) {
          this.#paceRate = rate * PACE_SHARE;
          this.#paceUntil = Date.now() + PACE_MS;
          if (hinted === null) delay = Math.max(delay, (item.lineBytes / this.#paceRate) * 1000);
        }
        this.#holdUntil = Math.max(this.#holdUntil, Date.now() + delay);
      }
      // A wait for an error (connection, timeout, 5xx, no Retry-After) ends early once another push
      // is accepted: the backoff of a batch that failed through outages can reach maxBackoff, and
      // every slot sleeping it out would leave a Loki that is back without pushes. A 429 or a
      // Retry-After is waited out.
      const early = hinted === null && !(res.kind === 'response' && res.status === 429);
      if ((await this.#sleep(delay, early)) === 'woken') step = -1;
      // Another slot's 429 may have extended the hold meanwhile.
      for (let wait = this.#holdUntil - Date.now(); wait > 0 && !this.#stopped; wait = this.#holdUntil - Date.now())
        await this.#sleep(wait);
      if (this.#stopped) return;
      this.#counters.retries++;
    }
  }

  /** A batch whose request could not be made: dropped (as `rejected`), reported once. */
  #failed(item: QueueItem, message: string): void {
    this.#counters.drop('rejected', item.lines, item.lineBytes);
    this.lastError = message;
    this.warnOnce(
      'request-error',
      `${CODES.REQUEST_FAILED}: could not send a batch of ${item.lines} lines (not retried): ${message}`,
    );
    this.#finish(item);
  }

  #reject(item: QueueItem, body: Buffer, res: Extract<HttpResult, { kind: 'response' }>): void {
    if (res.status === 413) {
      const halves = splitPayload({
        body,
        wire: item.wire,
        gzip: item.gzip,
        lines: item.lines,
        lineBytes: item.lineBytes,
      });
      if (halves !== null) {
        this.#counters.splits++;
        const parts = halves.map((p) => this.toItem(p));
        this.#finish(item);
        this.#queue.unshiftMany(parts);
        return;
      }
    }
    let dropped = item.lines;
    if (res.status === 400) {
      const ignored = ignoredLines(res.body);
      if (ignored !== null && ignored < item.lines) dropped = ignored;
    }
    const droppedBytes = Math.round((item.lineBytes * dropped) / Math.max(1, item.lines));
    this.#counters.drop('rejected', dropped, droppedBytes);
    this.#counters.sentLines += item.lines - dropped;
    this.#counters.sentBytes += item.lineBytes - droppedBytes;
    if (dropped < item.lines) this.#counters.wireBytes += body.length;
    this.warnOnce(
      `status-${res.status}`,
      `${CODES.REJECTED}: Loki refused ${dropped} of ${item.lines} lines (HTTP ${res.status}, not retried): ${res.body.trim().slice(0, 500)}`,
    );
    this.#finish(item);
  }

  /** Wraps an encoded batch for the queue, writing it to the spool first when there is one. */
  toItem(p: Payload): QueueItem {
    let file: string | null = null;
    if (this.#spool !== null) {
      try {
        file = this.#spool.write(p);
      } catch (err) {
        file = null;
        this.onSpoolError(err as Error);
      }
    }
    return {
      body: file === null ? p.body : null,
      file,
      size: p.body.length,
      lines: p.lines,
      lineBytes: p.lineBytes,
      wire: p.wire,
      gzip: p.gzip,
    };
  }

  /** Waits `ms`; with `early`, an accepted push ends the wait ('woken'). stop() ends every wait. */
  #sleep(ms: number, early = false): Promise<'slept' | 'woken'> {
    return new Promise((resolve) => {
      const end = (how: 'slept' | 'woken') => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        this.#backoffs.delete(woken);
        resolve(how);
      };
      const wake = () => end('slept');
      const woken = () => end('woken');
      const timer = setTimeout(wake, ms);
      timer.unref();
      this.#wakers.add(wake);
      if (early) this.#backoffs.add(woken);
    });
  }

  #wakeBackoffs(): void {
    if (this.#backoffs.size === 0) return;
    for (const woken of [...this.#backoffs]) woken();
  }
}

export function describe(res: HttpResult): string {
  return res.kind === 'response'
    ? `HTTP ${res.status} ${res.body.trim().slice(0, 200)}`
    : `${res.kind}: ${res.message}`;
}
