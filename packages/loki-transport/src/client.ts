import { BatchBuilder } from './batch.js';
import { HttpClient } from './http.js';
import { functionFormatter, jsonFormatter, type LineFormatter, logfmtFormatter } from './line-format.js';
import { Counters } from './metrics.js';
import { type NormalizedOptions, normalizeOptions, PREFIX } from './options.js';
import { ProtoBatchBuilder } from './proto-batch.js';
import { BatchQueue } from './queue.js';
import { toRecord } from './record.js';
import { Sender } from './sender.js';
import { type Shaped, Shaper } from './shape.js';
import { Spool } from './spool.js';
import type { LokiMetrics, LokiOptions, LokiRecord } from './types.js';

/** The core client every face wraps. */
export interface LokiClient {
  /**
   * Adds a record (a log-core `LogRecord`, a pino log object, or anything with
   * `{level, time, msg}`) to the current batch. Never throws. Returns false when
   * the queue is full under `queuePolicy: 'backpressure'` (wait with `waitForRoom()`).
   */
  push(record: LokiRecord | Record<string, unknown>): boolean;
  /**
   * Adds one line of NDJSON, as pino writes it: a JSON object is shipped as
   * the record it holds, any other text as a line of its own (at INFO, now).
   * Same return value as `push`.
   */
  pushLine(line: string): boolean;
  /**
   * Tells the client that more lines are already waiting to be pushed (a
   * large write being worked through), so an idle sender does not spend a
   * request on a small batch yet; `false` once that input is used up.
   */
  hold?(pending: boolean): void;
  /** Sends the current batch and resolves once the queue is empty, or after `drainTimeout`. */
  flush(): Promise<void>;
  /** Flushes within `drainTimeout`, then stops; unsent batches stay in the spool (or are counted as `closed`). Idempotent. */
  close(): Promise<void>;
  /** A snapshot of the counters. */
  metrics(): LokiMetrics;
  /** Whether Loki answers `GET /ready` with 200. */
  ready(): Promise<boolean>;
  /** Resolves once the queue has room again (immediately when it has). */
  waitForRoom(): Promise<void>;
  readonly closed: boolean;
}

function lineFormatter(o: NormalizedOptions): LineFormatter {
  if (o.formatter) return functionFormatter(o.formatter);
  if (o.format === 'json') return jsonFormatter();
  if (o.format === 'pattern') {
    throw new TypeError(`${PREFIX} option "format" is 'pattern' but no "formatter" was given: pass formatter: patternFormatter(pattern) from @pactown/log-core (the pino face and the CLI do this for you)`);
  }
  return logfmtFormatter(o);
}

class Client implements LokiClient {
  #o: NormalizedOptions;
  #shaper: Shaper;
  #builder: BatchBuilder | ProtoBatchBuilder;
  #counters = new Counters();
  #queue = new BatchQueue();
  #spool: Spool | null = null;
  #http: HttpClient;
  #sender: Sender;
  #batchTimer: NodeJS.Timeout | null = null;
  #metricsTimer: NodeJS.Timeout | null = null;
  #roomWaiters: Array<() => void> = [];
  #idleCheck: NodeJS.Immediate | null = null;
  // More input is waiting to be pushed (see hold).
  #holding = false;
  #closing: Promise<void> | null = null;

  constructor(o: NormalizedOptions) {
    this.#o = o;
    // Protobuf batches are encoded line by line as they fill; JSON ones at the end.
    this.#builder = o.wire === 'protobuf' ? new ProtoBatchBuilder() : new BatchBuilder();
    this.#shaper = new Shaper(o, lineFormatter(o));
    this.#http = new HttpClient(o.pushUrl, o.tls, o.timeout);
    if (o.spoolDir !== undefined) {
      this.#spool = new Spool(o.spoolDir);
      for (const f of this.#spool.open()) this.#queue.push({ body: null, ...f });
    }
    this.#sender = new Sender(o, this.#http, this.#counters, this.#queue, this.#spool);
    this.#sender.onShrink = () => this.#wakeRoomWaiters();
    // The last request is done: lines that gathered meanwhile go now, not when their batch ages out.
    if (o.sendWhenIdle) this.#sender.onIdle = () => this.#scheduleIdleCheck();
    this.#sender.kick();
    if (o.metricsInterval > 0 && o.onMetrics) {
      const report = o.onMetrics;
      this.#metricsTimer = setInterval(() => report(this.metrics()), o.metricsInterval);
      this.#metricsTimer.unref();
    }
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  get #bound(): number {
    return this.#spool !== null ? this.#o.spoolBytes : this.#o.queueBytes;
  }

  push(input: LokiRecord | Record<string, unknown>): boolean {
    try {
      const record = toRecord(input);
      if (this.#closing !== null) {
        this.#counters.drop('closed', 1, 0);
        return true;
      }
      const shaped = this.#shaper.shape(record);
      if (shaped === null) {
        this.#counters.drop('too_long', 1, this.#shaper.lineBytes(record));
        return this.#hasRoom();
      }
      this.#add(shaped, record.time);
    } catch (err) {
      this.#sender.warnOnce('push', `could not ship a record: ${(err as Error).message}`);
    }
    return this.#hasRoom();
  }

  pushLine(line: string): boolean {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return this.push({ level: 30, time: Date.now(), msg: line });
    if (this.#closing === null) {
      try {
        // Most of pino's objects are shaped in one pass, without a record in between.
        const shaped = this.#shaper.shapeParsed(value as Record<string, unknown>);
        if (shaped !== null) {
          this.#add(shaped, shaped.time);
          return this.#hasRoom();
        }
      } catch (err) {
        this.#sender.warnOnce('push', `could not ship a record: ${(err as Error).message}`);
        return this.#hasRoom();
      }
    }
    return this.push(value as Record<string, unknown>);
  }

  #add(shaped: Shaped, time: number): void {
    if (shaped.cut > 0) {
      this.#counters.truncatedLines++;
      this.#counters.droppedBytes.too_long += shaped.cut;
    }
    const size = this.#builder.add(shaped.selector, shaped.labels, time, shaped.line, shaped.bytes, shaped.meta);
    if (size >= this.#o.batchBytes) this.#seal();
    else if (this.#batchTimer === null) {
      this.#batchTimer = setTimeout(() => this.#seal(), this.#o.batchWait);
      this.#batchTimer.unref();
    }
    if (this.#o.sendWhenIdle) this.#scheduleIdleCheck();
  }

  #scheduleIdleCheck(): void {
    if (this.#idleCheck === null && this.#closing === null) this.#idleCheck = setImmediate(this.#sendIfIdle);
  }

  hold(pending: boolean): void {
    if (this.#holding === pending) return;
    this.#holding = pending;
    if (!pending && this.#o.sendWhenIdle && this.#builder.lines > 0) this.#scheduleIdleCheck();
  }

  // Runs after the pushes of this event-loop turn: with nothing in flight, send now rather than at batchWait.
  // While more input is known to be waiting (hold), the batch fills up by size (or age) instead:
  // a request per few hundred lines would cost more than the lines themselves.
  #sendIfIdle = (): void => {
    this.#idleCheck = null;
    if (this.#holding || this.#sender.busy || this.#queue.length > 0 || this.#builder.lines === 0) return;
    this.#seal();
  };

  #hasRoom(): boolean {
    return this.#o.queuePolicy === 'drop-oldest' || this.#queue.bytes < this.#bound;
  }

  #seal(): void {
    if (this.#batchTimer !== null) {
      clearTimeout(this.#batchTimer);
      this.#batchTimer = null;
    }
    if (this.#builder.lines === 0) return;
    const builder = this.#builder;
    const payload = builder instanceof ProtoBatchBuilder ? builder.takePayload() : builder.takePayload(this.#o.wire, this.#o.gzip);
    const bound = this.#bound;
    if (this.#queue.bytes + payload.body.length > bound) {
      if (this.#o.queuePolicy === 'drop-oldest') {
        while (this.#queue.bytes + payload.body.length > bound) {
          const old = this.#queue.evictOldest();
          if (old === undefined) break;
          if (old.file !== null) this.#spool?.remove(old.file);
          this.#counters.drop('queue_full', old.lines, old.lineBytes);
          this.#sender.warnOnce('queue_full', `queue full (${bound} bytes): dropping the oldest batches (counted as queue_full)`);
        }
      } else if (this.#queue.bytes >= bound) {
        // The producer ignored backpressure: keep the bound, drop the new batch.
        this.#counters.drop('queue_full', payload.lines, payload.lineBytes);
        this.#sender.warnOnce('queue_full', `queue full (${bound} bytes) and the producer did not wait: dropping new batches (counted as queue_full)`);
        return;
      }
    }
    this.#queue.push(this.#sender.toItem(payload));
    this.#sender.kick();
  }

  #wakeRoomWaiters(): void {
    if (this.#roomWaiters.length === 0 || this.#queue.bytes >= this.#bound) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w();
  }

  waitForRoom(): Promise<void> {
    if (this.#hasRoom() || this.#closing !== null) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#seal();
    let timer: NodeJS.Timeout | undefined;
    // A ref'd timer keeps the process alive while draining; unref'd backoff timers alone would not.
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#o.drainTimeout);
    });
    await Promise.race([this.#sender.whenIdle(), deadline]);
    clearTimeout(timer);
  }

  flush(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    return this.#drain();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#metricsTimer !== null) clearInterval(this.#metricsTimer);
      if (this.#idleCheck !== null) clearImmediate(this.#idleCheck);
      await this.#drain();
      this.#sender.stop();
      this.#http.destroy();
      await this.#sender.whenIdle();
      const left = this.#queue.drain();
      // Spooled batches stay on disk for the next start; memory-only ones are lost now.
      for (const item of left) if (item.file === null) this.#counters.drop('closed', item.lines, item.lineBytes);
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of waiters) w();
    })();
    return this.#closing;
  }

  metrics(): LokiMetrics {
    const q = this.#queue;
    const spooled = this.#spool !== null;
    return this.#counters.snapshot({
      queueBytes: q.bytes,
      queueBatches: q.length,
      queueLines: q.lines,
      pendingLines: this.#builder.lines,
      spoolBytes: spooled ? q.bytes : 0,
      spoolBatches: spooled ? q.length : 0,
    });
  }

  async ready(): Promise<boolean> {
    const url = new URL(this.#o.baseUrl.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/ready`;
    const res = await this.#http.request('GET', url, this.#o.headers);
    return res.kind === 'response' && res.status === 200;
  }
}

/** Creates a Loki client; throws a `TypeError` naming any bad option. */
export function createLokiClient(options: LokiOptions): LokiClient {
  return new Client(normalizeOptions(options));
}
