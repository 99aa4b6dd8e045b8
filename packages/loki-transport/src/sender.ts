import { performance } from 'node:perf_hooks';
import { backoffDelay, isRetryableStatus, parseRetryAfter } from './backoff.js';
import type { HttpClient, HttpResult } from './http.js';
import type { Counters } from './metrics.js';
import type { NormalizedOptions } from './options.js';
import { type Payload, payloadHeaders, splitPayload } from './payload.js';
import type { BatchQueue, QueueItem } from './queue.js';
import type { Spool } from './spool.js';

const TOTAL_IGNORED = /total ignored: (\d+) out of \d+/;
const LISTED_ENTRY = /^entry with timestamp .* ignored, reason:/;
const ENTRY_ERROR = /^(entry for stream '|Max entry size '|stream '.*' (has structured metadata too large|has too many structured metadata|includes structured metadata))/;

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
    else if (ENTRY_ERROR.test(line)) total += 1;
    else return null;
    found = true;
  }
  return found ? total : null;
}

/**
 * Sends the queue's head, one batch at a time, with Loki's retry rules:
 * 429/5xx/timeouts/connection errors back off with full jitter (or as
 * `Retry-After` says, up to `maxBackoff`), other 4xx are dropped, 413 is
 * split in halves; a request that cannot be made at all is dropped.
 */
export class Sender {
  #o: NormalizedOptions;
  #http: HttpClient;
  #counters: Counters;
  #queue: BatchQueue;
  #spool: Spool | null;
  #warned = new Set<string>();
  #running = false;
  #stopped = false;
  #wake: (() => void) | null = null;
  #idle: Array<() => void> = [];
  /** Called after the queue shrinks (backpressure waiters). */
  onShrink: () => void = () => {};
  /** Called when the last queued batch is done and nothing is in flight. */
  onIdle: () => void = () => {};

  constructor(o: NormalizedOptions, http: HttpClient, counters: Counters, queue: BatchQueue, spool: Spool | null) {
    this.#o = o;
    this.#http = http;
    this.#counters = counters;
    this.#queue = queue;
    this.#spool = spool;
  }

  /** Logs a warning once per kind. */
  warnOnce(kind: string, message: string): void {
    if (this.#warned.has(kind)) return;
    this.#warned.add(kind);
    this.#o.onWarning(message);
  }

  get busy(): boolean {
    return this.#running;
  }

  kick(): void {
    if (this.#running || this.#stopped || this.#queue.length === 0) return;
    this.#running = true;
    void this.#loop();
  }

  /** Resolves when the queue is empty and nothing is in flight. */
  whenIdle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops after the current attempt; a backoff wait ends at once. */
  stop(): void {
    this.#stopped = true;
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      const item = this.#queue.peek();
      if (item === undefined) break;
      this.#queue.headInFlight = true;
      try {
        await this.#deliver(item);
      } catch (err) {
        // Nothing here is expected to throw; if something does, the batch is dropped and counted, never left as an unhandled rejection.
        this.#failed(item, err instanceof Error ? err.message : String(err));
      }
    }
    this.#running = false;
    if (this.#queue.length === 0 || this.#stopped) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const w of waiters) w();
      if (!this.#stopped) this.onIdle();
    }
  }

  #finish(item: QueueItem): void {
    this.#queue.shift();
    if (item.file !== null) this.#spool?.remove(item.file);
    this.onShrink();
  }

  #body(item: QueueItem): Buffer | null {
    if (item.body !== null) return item.body;
    try {
      return this.#spool!.read(item.file!);
    } catch (err) {
      this.warnOnce('spool-read', `could not read spooled batch ${item.file}: ${(err as Error).message}; its lines are counted as rejected`);
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
    for (let attempt = 0; ; attempt++) {
      const t0 = performance.now();
      const res = await this.#http.request('POST', this.#o.pushUrl, headers, body);
      this.#counters.requests++;
      this.#counters.observe(performance.now() - t0);
      if (res.kind === 'error') {
        this.#failed(item, res.message);
        return;
      }
      if (this.#stopped && res.kind !== 'response') return;
      if (res.kind === 'response' && res.status >= 200 && res.status < 300) {
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
        this.warnOnce('retries_exhausted', `dropped a batch of ${item.lines} lines after ${attempt + 1} attempts; last: ${describe(res)}`);
        this.#finish(item);
        return;
      }
      const hinted = res.kind === 'response' ? parseRetryAfter(res.retryAfter) : null;
      const delay = hinted !== null ? Math.min(hinted, this.#o.maxBackoff) : backoffDelay(attempt, this.#o.minBackoff, this.#o.maxBackoff);
      await this.#sleep(delay);
      if (this.#stopped) return;
      this.#counters.retries++;
    }
  }

  /** A batch whose request could not be made: dropped (as `rejected`), reported once. */
  #failed(item: QueueItem, message: string): void {
    this.#counters.drop('rejected', item.lines, item.lineBytes);
    this.warnOnce('request-error', `could not send a batch of ${item.lines} lines (not retried): ${message}`);
    if (this.#queue.peek() === item) this.#finish(item);
  }

  #reject(item: QueueItem, body: Buffer, res: Extract<HttpResult, { kind: 'response' }>): void {
    if (res.status === 413) {
      const halves = splitPayload({ body, wire: item.wire, gzip: item.gzip, lines: item.lines, lineBytes: item.lineBytes });
      if (halves !== null) {
        this.#counters.splits++;
        this.#queue.shift();
        if (item.file !== null) this.#spool?.remove(item.file);
        this.#queue.unshiftMany(halves.map((p) => this.toItem(p)));
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
    this.warnOnce(`status-${res.status}`, `Loki refused ${dropped} of ${item.lines} lines (HTTP ${res.status}, not retried): ${res.body.trim().slice(0, 500)}`);
    this.#finish(item);
  }

  /** Wraps an encoded batch for the queue, writing it to the spool first when there is one. */
  toItem(p: Payload): QueueItem {
    let file: string | null = null;
    if (this.#spool !== null) {
      try {
        file = this.#spool.write(p);
      } catch {
        file = null;
      }
    }
    return { body: file === null ? p.body : null, file, size: p.body.length, lines: p.lines, lineBytes: p.lineBytes, wire: p.wire, gzip: p.gzip };
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}

function describe(res: HttpResult): string {
  return res.kind === 'response' ? `HTTP ${res.status} ${res.body.trim().slice(0, 200)}` : `${res.kind}: ${res.message}`;
}
