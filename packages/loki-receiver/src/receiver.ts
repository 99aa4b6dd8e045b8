import { type Server, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { ReceiverCore, SINGLE_TENANT } from './core.js';
import { rejectUnknownKeys } from '@pactown/options';
import { CODES, LokiReceiverError, badArgument } from './errors.js';
import { createHandler } from './http/handler.js';
import { createTailHandler } from './http/tail.js';
import { parseMetricQuery } from './logql/metric.js';
import { type MetricSeries, runMetricRange } from './metric-query.js';
import { normalizeOptions } from './options.js';
import { toNanoseconds } from './time-format.js';
import type {
  DownOptions,
  FailOptions,
  LokiQueryData,
  LokiReceiverOptions,
  QueryOptions,
  ReceivedEntry,
  ReceiverStats,
} from './types.js';

/** A running Loki-compatible server with test hooks. Create it with {@link startLokiReceiver}. */
export class LokiReceiver {
  readonly #core: ReceiverCore;
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  #port: number;
  #mode: 'up' | 'refuse' | 'reset' = 'up';
  #closed = false;
  #tail: ReturnType<typeof createTailHandler> | undefined;

  /** @internal Use {@link startLokiReceiver}. */
  constructor(options: LokiReceiverOptions = {}) {
    const opts = normalizeOptions(options);
    this.#core = new ReceiverCore(opts);
    this.#port = opts.port;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234` (push to `${url}/loki/api/v1/push`). */
  get url(): string {
    const host = this.#core.opts.host.includes(':') ? `[${this.#core.opts.host}]` : this.#core.opts.host;
    return `http://${host}:${this.#port}`;
  }

  /** Full push endpoint URL. */
  get pushUrl(): string {
    return `${this.url}/loki/api/v1/push`;
  }

  get port(): number {
    return this.#port;
  }

  /** True between `down()` and `up()`. */
  get isDown(): boolean {
    return this.#mode !== 'up';
  }

  /** @internal */
  async listen(): Promise<void> {
    const server = createServer({ keepAliveTimeout: 5000 }, createHandler(this.#core, this));
    this.#tail ??= createTailHandler(this.#core);
    const tail = this.#tail;
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://receiver.invalid');
      if (url.pathname === '/loki/api/v1/tail' && this.#mode === 'up') tail.upgrade(req, socket, head, url);
      else socket.destroy();
    });
    server.on('connection', (socket: Socket) => {
      if (this.#mode === 'reset') {
        socket.resetAndDestroy();
        return;
      }
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#core.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address && typeof address === 'object') this.#port = address.port;
    this.#server = server;
  }

  #dropConnections(): void {
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
  }

  async #stopListening(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.#dropConnections();
    server.closeAllConnections();
    await closed;
  }

  /**
   * Takes the server down: open connections are destroyed and new ones are refused
   * (`mode: 'refuse'`, ECONNREFUSED) or accepted and reset (`mode: 'reset'`, ECONNRESET).
   */
  async down(options: DownOptions = {}): Promise<void> {
    rejectUnknownKeys(options, ['mode'], {
      pkg: '@pactown/loki-receiver',
      prefix: 'PACTOWN_RECEIVER',
      where: 'down() options',
    });
    const mode = options.mode ?? 'refuse';
    if (mode !== 'refuse' && mode !== 'reset') {
      throw badArgument(`down() mode must be 'refuse' or 'reset', got ${String(mode)}`);
    }
    if (this.#closed) throw new LokiReceiverError(CODES.CLOSED, 'down() after close()');
    this.#mode = mode;
    if (mode === 'refuse') await this.#stopListening();
    else this.#dropConnections();
  }

  /** Brings the server back on the same port, with everything it held before. */
  async up(): Promise<void> {
    if (this.#closed) throw new LokiReceiverError(CODES.CLOSED, 'up() after close()');
    const wasRefusing = this.#mode === 'refuse';
    this.#mode = 'up';
    if (wasRefusing || !this.#server) {
      try {
        await this.listen();
      } catch (error) {
        this.#mode = 'refuse';
        throw new LokiReceiverError(
          CODES.PORT_TAKEN,
          `could not listen again on port ${this.#port}; another process may have taken it`,
          { cause: error },
        );
      }
    }
  }

  /** Stops the server for good. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#tail?.close();
    await this.#stopListening();
  }

  /** Fails the next `count` push requests (or all requests with `scope: 'all'`) with `status`. */
  failNext(count: number, status: number, options?: FailOptions): void {
    this.#core.faults.failNext(count, status, options);
  }

  /** Delays every push answer (or every answer with scope 'all') by `ms`; 0 removes the delay. */
  setLatency(ms: number, scope: 'push' | 'all' = 'push'): void {
    this.#core.faults.setLatency(ms, scope);
  }

  /** A snapshot of every stored line, stream by stream, oldest first (all tenants unless one is named). */
  entries(tenant?: string): ReceivedEntry[] {
    return this.#core.entries(tenant);
  }

  /** Number of stored lines (cheap, unlike `entries().length`). */
  get entryCount(): number {
    return this.#core.store.entryCount;
  }

  /** Resolves once at least `count` lines are stored; rejects after `timeoutMs`. */
  waitForEntries(count: number, timeoutMs = 30_000): Promise<void> {
    const store = this.#core.store;
    if (store.entryCount >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(
          new LokiReceiverError(
            CODES.WAIT_TIMEOUT,
            `timed out after ${timeoutMs} ms waiting for ${count} lines (have ${store.entryCount})`,
          ),
        );
      }, timeoutMs);
      const stop = store.watch(() => {
        if (store.entryCount >= count) {
          clearTimeout(timer);
          stop();
          resolve();
        }
      });
    });
  }

  /** Runs a LogQL log query (selector and line filters). Defaults cover every stored line, oldest first. */
  query(logql: string, options: QueryOptions = {}): LokiQueryData {
    rejectUnknownKeys(options, ['start', 'end', 'limit', 'direction', 'tenant', 'categorizeLabels'], {
      pkg: '@pactown/loki-receiver',
      prefix: 'PACTOWN_RECEIVER',
      where: 'query() options',
    });
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    if (!(limit > 0)) throw badArgument(`query limit must be > 0, got ${String(limit)}`);
    const direction = options.direction ?? 'forward';
    if (direction !== 'forward' && direction !== 'backward') {
      throw badArgument(`query direction must be 'forward' or 'backward', got ${String(direction)}`);
    }
    const start = options.start === undefined ? -(2n ** 63n) : toNanoseconds(options.start, 'start');
    const end = options.end === undefined ? 2n ** 63n : toNanoseconds(options.end, 'end');
    return this.#core.query(logql, options.tenant ?? SINGLE_TENANT, {
      start,
      end,
      limit,
      direction,
      categorizeLabels: options.categorizeLabels === true,
    });
  }

  /**
   * Runs a LogQL metric query (`count_over_time`, `rate`, `bytes_over_time`,
   * `bytes_rate` inside `sum`/`count`/`avg`/`min`/`max`/`topk`/`bottomk` by or
   * without labels) as query_range does: a matrix over [start, end] by `step`.
   */
  queryMetric(
    logql: string,
    options: {
      start: bigint | string | number | Date;
      end: bigint | string | number | Date;
      step: number;
      tenant?: string;
    },
  ): MetricSeries[] {
    rejectUnknownKeys(options, ['start', 'end', 'step', 'tenant'], {
      pkg: '@pactown/loki-receiver',
      prefix: 'PACTOWN_RECEIVER',
      where: 'queryMetric() options',
    });
    if (!(options.step > 0))
      throw badArgument(`queryMetric step must be milliseconds > 0, got ${String(options.step)}`);
    const start = toNanoseconds(options.start, 'start');
    const end = toNanoseconds(options.end, 'end');
    return runMetricRange(
      this.#core.store,
      options.tenant ?? SINGLE_TENANT,
      parseMetricQuery(logql),
      start,
      end,
      BigInt(Math.round(options.step * 1e6)),
    );
  }

  /** Request, byte and line counters. */
  stats(): ReceiverStats {
    return this.#core.stats();
  }

  /** Forgets every line, counter, pending failure and latency. */
  reset(): void {
    this.#core.reset();
  }
}

/** Starts a Loki-compatible receiver on `host:port` (port 0 picks a free one). */
export async function startLokiReceiver(options: LokiReceiverOptions = {}): Promise<LokiReceiver> {
  const receiver = new LokiReceiver(options);
  await receiver.listen();
  return receiver;
}
