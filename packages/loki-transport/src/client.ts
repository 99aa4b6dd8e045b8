import { isMainThread } from 'node:worker_threads';
import { BatchBuilder } from './batch.js';
import { pushSync } from './exit-push.js';
import { HttpClient } from './http.js';
import { functionFormatter, jsonFormatter, type LineFormatter, logfmtFormatter } from './line-format.js';
import { Counters } from './metrics.js';
import { type NormalizedOptions, normalizeOptions, PREFIX } from './options.js';
import { ProtoBatchBuilder } from './proto-batch.js';
import { BatchQueue, type QueueItem } from './queue.js';
import { CODES, codedTypeError } from './codes.js';
import { toRecord } from './record.js';
import { Sender } from './sender.js';
import { type Shaped, Shaper } from './shape.js';
import { Spool } from './spool.js';
import { payloadHeaders } from './payload.js';
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
  hold(pending: boolean): void;
  /**
   * The last resort in an `'exit'` listener, where nothing asynchronous runs
   * any more: the batch being built and every batch not yet accepted go to
   * the spool when there is one, else they are pushed synchronously within
   * `drainTimeout`; what is still not delivered is counted as `closed` and
   * reported. The client is closed afterwards. Called on `'exit'` by itself
   * (`flushOnExit`) and by log-core's `handleExit()` through the handler.
   */
  flushSync(): void;
  /** Sends the current batch and resolves once the queue is empty, or after `drainTimeout`. */
  flush(): Promise<void>;
  /** Flushes within `drainTimeout` (lines pushed meanwhile included), then stops; unsent batches stay in the spool (or are counted as `closed` and reported). Idempotent. */
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
    throw codedTypeError(
      CODES.INVALID_OPTION,
      `${PREFIX} option 'format' is 'pattern' but no 'formatter' was given: pass formatter: patternFormatter(pattern) from @pactown/log-core (the pino face and the CLI do this for you)`,
    );
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
  // When the last batch was sealed (performance.now()), and the timer of an idle send waiting out idleSendGap.
  #lastSeal = Number.NEGATIVE_INFINITY;
  #gapTimer: NodeJS.Timeout | null = null;
  // More input is waiting to be pushed (see hold).
  #holding = false;
  // The batch timer fired while batches waited for a send slot: the batch grows until one is free.
  #due = false;
  #closing: Promise<void> | null = null;
  // Closed for good: close() has accounted for what was left, or flushSync() ran. Lines pushed
  // while close() drains are still taken (and sent, spooled or reported); after this, none are.
  #done = false;
  // Lines pushed after that, each counted as dropped.closed; the first is reported at once, the total at exit.
  #lateDrops = 0;

  constructor(o: NormalizedOptions) {
    this.#o = o;
    // Protobuf batches are encoded line by line as they fill; JSON ones at the end.
    this.#builder = o.wire === 'protobuf' ? new ProtoBatchBuilder() : new BatchBuilder();
    this.#shaper = new Shaper(o, lineFormatter(o));
    this.#http = new HttpClient(o.pushUrl, o.tls, o.timeout, o.maxInFlight + 1);
    this.#sender = new Sender(o, this.#http, this.#counters, this.#queue, null);
    if (o.spoolDir !== undefined) this.#openSpool(o.spoolDir);
    this.#sender.onShrink = () => this.#shrunk();
    this.#sender.onSpoolError = (err) => {
      this.#counters.spoolErrors++;
      this.#sender.warnOnce(
        'spool-write',
        `${CODES.SPOOL_WRITE}: could not write a batch to the spool folder ${this.#o.spoolDir} (${describeError(err)}); such batches stay in memory within queueBytes and are not durable until writes succeed again (counted in spoolErrors)`,
      );
    };
    // The last request is done: lines that gathered meanwhile go now, not when their batch ages out.
    if (o.sendWhenIdle) this.#sender.onIdle = () => this.#scheduleIdleCheck();
    this.#sender.kick();
    if (o.metricsInterval > 0 && o.onMetrics) {
      const report = o.onMetrics;
      this.#metricsTimer = setInterval(() => report(this.metrics()), o.metricsInterval);
      this.#metricsTimer.unref();
    }
    if (o.flushOnExit) watchExit(this);
  }

  #openSpool(dir: string): void {
    const spool = new Spool(dir, this.#o.spoolFsync);
    try {
      const files = spool.open();
      this.#spool = spool;
      this.#sender.spool = spool;
      for (const f of files) this.#queue.push({ body: null, ...f });
    } catch (err) {
      // A spool is a promise of durability, not a reason to stop logging: go on in memory, loudly.
      this.#counters.spoolErrors++;
      this.#sender.warnOnce(
        'spool-open',
        `${CODES.SPOOL_UNAVAILABLE}: the spool folder ${dir} cannot be used (${describeError(err)}); going on in memory only, so lines are not durable (counted in spoolErrors)`,
      );
      return;
    }
    if (spool.skipped.length > 0) {
      this.#sender.warnOnce(
        'spool-skipped',
        `${CODES.SPOOL_UNAVAILABLE}: left alone in the spool folder ${dir}, as they are not batch files this client wrote: ${spool.skipped.join(', ')}`,
      );
    }
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  #full(): boolean {
    return this.#queue.memoryBytes >= this.#o.queueBytes || this.#queue.diskBytes >= this.#o.spoolBytes;
  }

  push(input: LokiRecord | Record<string, unknown>): boolean {
    try {
      const record = toRecord(input);
      if (this.#done) {
        this.#droppedLate();
        return true;
      }
      const shaped = this.#shaper.shape(record);
      if (shaped === null) {
        this.#counters.drop('too_long', 1, this.#shaper.lineBytes(record));
        return this.#hasRoom();
      }
      this.#add(shaped, record.time);
    } catch (err) {
      this.#sender.warnOnce('push', `${CODES.BAD_RECORD}: could not ship a record: ${(err as Error).message}`);
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
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return this.push({ level: 30, time: Date.now(), msg: line });
    if (!this.#done) {
      try {
        // Most of pino's objects are shaped in one pass, without a record in between.
        const shaped = this.#shaper.shapeParsed(value as Record<string, unknown>);
        if (shaped !== null) {
          this.#add(shaped, shaped.time);
          return this.#hasRoom();
        }
      } catch (err) {
        this.#sender.warnOnce('push', `${CODES.BAD_RECORD}: could not ship a record: ${(err as Error).message}`);
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
    if (shaped.relabelled) this.#counters.relabelledLines++;
    const size = this.#builder.add(shaped.selector, shaped.labels, time, shaped.line, shaped.bytes, shaped.meta);
    if (size >= this.#o.batchBytes) this.#seal();
    else if (this.#batchTimer === null && !this.#due) {
      // With a spool, a line is on disk within spoolWindow: that bounds what a SIGKILL can take.
      const wait = this.#spool !== null ? Math.min(this.#o.batchWait, this.#o.spoolWindow) : this.#o.batchWait;
      this.#batchTimer = setTimeout(this.#batchAged, wait);
      this.#batchTimer.unref();
    }
    if (this.#o.sendWhenIdle) this.#scheduleIdleCheck();
  }

  /** A line pushed after the client was closed: counted, said on stderr the first time, the total at exit. */
  #droppedLate(): void {
    this.#counters.drop('closed', 1, 0);
    if (++this.#lateDrops > 1) return;
    this.#o.onWarning(
      `${CODES.UNDELIVERED}: a line was logged after the Loki client was closed; it is lost (counted as dropped.closed), as are any later ones (their number is reported at exit)`,
    );
    if (isMainThread)
      process.once('exit', () => {
        if (this.#lateDrops > 1)
          this.#o.onWarning(
            `${CODES.UNDELIVERED}: at exit, ${this.#lateDrops} lines logged after the Loki client was closed were lost (counted as dropped.closed)`,
          );
      });
  }

  #batchAged = (): void => {
    this.#batchTimer = null;
    // Under backlog (batches already wait for a slot) the batch keeps filling up to batchBytes
    // instead: the same lines in fewer requests, which is how a slow Loki is kept up with.
    if (this.#spool === null && this.#queue.waiting > 0) this.#due = true;
    else this.#seal();
  };

  #shrunk(): void {
    this.#wakeRoomWaiters();
    if (this.#due && this.#queue.waiting === 0 && this.#closing === null) this.#seal();
  }

  #scheduleIdleCheck(): void {
    // While the gap timer waits, or a request is out, the check would find nothing to do: the
    // timer runs it when the gap is over, and the sender's onIdle when the last request is done.
    // (A busy logger's write per millisecond would otherwise cost a turn of the loop each.)
    if (this.#idleCheck !== null || this.#gapTimer !== null || this.#closing !== null || this.#sender.busy) return;
    this.#idleCheck = setImmediate(this.#sendIfIdle);
  }

  hold(pending: boolean): void {
    if (this.#holding === pending) return;
    this.#holding = pending;
    if (!pending && this.#o.sendWhenIdle && this.#builder.lines > 0) this.#scheduleIdleCheck();
  }

  // Runs after the pushes of this event-loop turn: with nothing in flight, send now rather than at batchWait.
  // While more input is known to be waiting (hold), the batch fills up by size (or age) instead:
  // a request per few hundred lines would cost more than the lines themselves.
  // A request per idle moment would cost more CPU than the lines it carries at a steady trickle
  // (hundreds of requests a second): an idle send waits until idleSendGap after the last batch.
  #sendIfIdle = (): void => {
    this.#idleCheck = null;
    if (this.#holding || this.#sender.busy || this.#queue.length > 0 || this.#builder.lines === 0) return;
    const wait = this.#lastSeal + this.#o.idleSendGap - performance.now();
    if (wait > 0) {
      if (this.#gapTimer === null && this.#closing === null) {
        this.#gapTimer = setTimeout(this.#gapOver, Math.ceil(wait));
        this.#gapTimer.unref();
      }
      return;
    }
    this.#seal();
  };

  #gapOver = (): void => {
    this.#gapTimer = null;
    this.#sendIfIdle();
  };

  #hasRoom(): boolean {
    return this.#o.queuePolicy === 'drop-oldest' || !this.#full();
  }

  #seal(): void {
    if (this.#batchTimer !== null) {
      clearTimeout(this.#batchTimer);
      this.#batchTimer = null;
    }
    if (this.#gapTimer !== null) {
      clearTimeout(this.#gapTimer);
      this.#gapTimer = null;
    }
    this.#due = false;
    if (this.#builder.lines === 0) return;
    this.#lastSeal = performance.now();
    const builder = this.#builder;
    const payload =
      builder instanceof ProtoBatchBuilder ? builder.takePayload() : builder.takePayload(this.#o.wire, this.#o.gzip);
    // Spooled first (when there is a spool), then bounded by where it lives: memory or disk.
    const item = this.#sender.toItem(payload);
    const disk = item.body === null;
    const bound = disk ? this.#o.spoolBytes : this.#o.queueBytes;
    const used = () => (disk ? this.#queue.diskBytes : this.#queue.memoryBytes);
    const where = disk ? `spool (${bound} bytes)` : `queue (${bound} bytes in memory)`;
    if (used() + item.size > bound) {
      if (this.#o.queuePolicy === 'drop-oldest') {
        while (used() + item.size > bound) {
          const old = this.#queue.evictOldest(disk);
          if (old === undefined) break;
          if (old.file !== null) this.#spool?.remove(old.file);
          this.#counters.drop('queue_full', old.lines, old.lineBytes);
          this.#sender.warnOnce(
            'queue_full',
            `${CODES.QUEUE_FULL}: ${where} full: dropping the oldest batches (counted as queue_full)`,
          );
        }
      }
      // What is left is in flight (never evicted): the bound holds by dropping the new batch.
      if (used() > 0 && (this.#o.queuePolicy === 'drop-oldest' ? used() + item.size > bound : used() >= bound)) {
        // The producer ignored backpressure: keep the bound, drop the new batch.
        if (item.file !== null) this.#spool?.remove(item.file);
        this.#counters.drop('queue_full', item.lines, item.lineBytes);
        this.#sender.warnOnce(
          'queue_full',
          `${CODES.QUEUE_FULL}: ${where} full and the producer did not wait: dropping new batches (counted as queue_full)`,
        );
        return;
      }
    }
    this.#queue.push(item);
    this.#sender.kick();
  }

  #wakeRoomWaiters(): void {
    if (this.#roomWaiters.length === 0 || this.#full()) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w();
  }

  waitForRoom(): Promise<void> {
    if (this.#hasRoom() || this.#closing !== null) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Sends the batch being built and waits until the queue is empty, at most drainTimeout. With `more`, lines pushed meanwhile are sent too, within the same deadline. */
  async #drain(more = false): Promise<void> {
    this.#seal();
    let timer: NodeJS.Timeout | undefined;
    let expired = false;
    // A ref'd timer keeps the process alive while draining; unref'd backoff timers alone would not.
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        expired = true;
        resolve();
      }, this.#o.drainTimeout);
    });
    for (;;) {
      await Promise.race([this.#sender.whenIdle(), deadline]);
      if (!more || expired || this.#done) break;
      this.#seal();
      if (this.#queue.length === 0) break;
    }
    clearTimeout(timer);
  }

  flush(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    return this.#drain();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      // The exit watch stays until the end: a process.exit() while this drains still spools,
      // pushes or reports what is left (flushSync), instead of losing it without a word.
      this.#stopTimers();
      await this.#drain(true);
      if (this.#done) return;
      this.#sender.stop();
      this.#http.destroy();
      await this.#sender.whenIdle();
      if (this.#done) return;
      this.#done = true;
      unwatchExit(this);
      // Lines pushed after the deadline: spooled (kept) or counted below; the sender is stopped.
      this.#seal();
      this.#giveUp(this.#queue.drain(), 'close', `not delivered within drainTimeout (${this.#o.drainTimeout} ms)`);
      this.#release();
    })();
    return this.#closing;
  }

  flushSync(): void {
    if (this.#done) return;
    this.#done = true;
    // Also while close() drains (a process.exit() cut it short): this accounts for everything left.
    this.#closing ??= Promise.resolve();
    this.#stopTimers();
    unwatchExit(this);
    this.#seal();
    this.#sender.stop();
    const left = this.#queue.drain();
    const inMemory = left.filter((item) => item.file === null && item.body !== null);
    const undelivered = left.filter((item) => !inMemory.includes(item));
    let failure: string | null = null;
    if (inMemory.length > 0) {
      const results = pushSync(
        this.#o.pushUrl,
        this.#o.tls,
        inMemory.map((item) => ({ body: item.body!, headers: { ...this.#o.headers, ...payloadHeaders(item) } })),
        this.#o.drainTimeout,
      );
      results.forEach((reason, i) => {
        const item = inMemory[i]!;
        if (reason === null) {
          this.#counters.sentLines += item.lines;
          this.#counters.sentBytes += item.lineBytes;
          this.#counters.wireBytes += item.size;
        } else {
          failure ??= reason;
          undelivered.push(item);
        }
      });
    }
    this.#giveUp(undelivered, 'exit', failure ?? 'not delivered before the process exited');
    this.#http.destroy();
    this.#release();
  }

  #stopTimers(): void {
    if (this.#metricsTimer !== null) clearInterval(this.#metricsTimer);
    if (this.#idleCheck !== null) clearImmediate(this.#idleCheck);
    this.#idleCheck = null;
    if (this.#gapTimer !== null) clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
  }

  /** Accounts for batches left at close or exit: spooled ones stay on disk for the next start, the rest are dropped; both are reported with the reason. */
  #giveUp(left: QueueItem[], when: 'close' | 'exit', why: string): void {
    let kept = 0;
    let lost = 0;
    for (const item of left) {
      if (item.file !== null) kept += item.lines;
      else {
        lost += item.lines;
        this.#counters.drop('closed', item.lines, item.lineBytes);
      }
    }
    const last = this.#sender.lastError;
    const reason = last !== null && !why.includes(last) ? `${why}; last error: ${last}` : why;
    if (lost > 0)
      this.#o.onWarning(
        `${CODES.UNDELIVERED}: at ${when}, ${lost} lines were lost (counted as dropped.closed): ${reason}`,
      );
    if (kept > 0)
      this.#o.onWarning(
        `${CODES.UNDELIVERED}: at ${when}, ${kept} lines not yet accepted by Loki stay in the spool folder ${this.#o.spoolDir} for the next start (${reason})`,
      );
  }

  #release(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w();
  }

  metrics(): LokiMetrics {
    const q = this.#queue;
    const spooled = this.#spool !== null;
    return this.#counters.snapshot({
      queueBytes: q.bytes,
      queueBatches: q.length,
      queueLines: q.lines,
      pendingLines: this.#builder.lines,
      spoolBytes: spooled ? q.diskBytes : 0,
      spoolBatches: spooled ? q.diskBatches : 0,
    });
  }

  async ready(): Promise<boolean> {
    const url = new URL(this.#o.baseUrl.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/ready`;
    const res = await this.#http.request('GET', url, this.#o.headers);
    return res.kind === 'response' && res.status === 200;
  }
}

// Clients that deliver (or spool) on process.exit(), behind one 'exit' listener of the main thread.
// In pino's worker the thread stream ends the worker on exit, which closes the client itself.
const exiting = new Set<LokiClient>();
const onExit = (): void => {
  for (const client of [...exiting]) client.flushSync();
};

function watchExit(client: LokiClient): void {
  if (!isMainThread) return;
  if (exiting.size === 0) {
    process.on('exit', onExit);
    exitRegistry().tasks.add(onSignalExit);
  }
  exiting.add(client);
}

function unwatchExit(client: LokiClient): void {
  if (exiting.delete(client) && exiting.size === 0) {
    process.removeListener('exit', onExit);
    exitRegistry().tasks.delete(onSignalExit);
  }
}

// A signal exit through the process's shared exit registry (log-core's handleExit(), read here
// without importing it: `globalThis[Symbol.for('pactown.exit')]`). The exiter awaits its tasks,
// flushes, then ends the process by raising the signal again, which runs no 'exit' listener:
// the clients' exit flush would never happen, however long the flush before it had to give up.
// Right before raising it, the exiter takes every cooperating signal listener off; so, as a task,
// a client adds one of its own, and when that one is taken off it does the exit flush (spool,
// synchronous push, or a report on stderr) while the process still runs.
interface ExitRegistry {
  readonly version: 1;
  exiter: string | undefined;
  readonly tasks: Set<(signal: NodeJS.Signals) => unknown>;
  readonly cooperative: Set<(...args: never[]) => unknown>;
}

function exitRegistry(): ExitRegistry {
  const g = globalThis as unknown as Record<symbol, ExitRegistry | undefined>;
  const key = Symbol.for('pactown.exit');
  g[key] ??= { version: 1, exiter: undefined, tasks: new Set(), cooperative: new Set() };
  return g[key]!;
}

const armed = new Map<string | symbol, () => void>();
let watchingRemovals = false;

function onSignalExit(signal: NodeJS.Signals): void {
  if (armed.has(signal) || exiting.size === 0) return;
  const listener = (): void => {
    // Left alone with the signal (the exiter is gone): do what the default action would, after the flush.
    if (process.listenerCount(signal) === 1) {
      process.removeListener(signal, listener);
      process.kill(process.pid, signal);
    }
  };
  armed.set(signal, listener);
  if (!watchingRemovals) {
    watchingRemovals = true;
    process.on('removeListener', (event: string | symbol, fn: unknown) => {
      if (armed.get(event) !== fn) return;
      armed.delete(event);
      exitRegistry().cooperative.delete(fn as () => void);
      onExit();
    });
  }
  exitRegistry().cooperative.add(listener);
  process.on(signal, listener);
}

function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code !== undefined ? `${e.code}: ${e.message}` : String(e?.message ?? e);
}

/** Creates a Loki client; throws a `TypeError` naming any bad option. */
export function createLokiClient(options: LokiOptions): LokiClient {
  return new Client(normalizeOptions(options));
}
