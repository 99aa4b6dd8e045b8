/**
 * A record as the client sees it: the shape of log-core's `LogRecord`
 * (declared here so the core needs no log-core install). pino objects and
 * winston infos are converted to it.
 */
export interface LokiRecord {
  /** Level number on pino's scale (30 INFO, 40 WARNING, ...). */
  readonly level: number;
  /** Python-style level name: `'INFO'`, `'WARNING'`, ... */
  readonly levelName: string;
  /** Dotted logger name, `'root'` when there is none. */
  readonly name: string;
  readonly message: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly pid: number;
  readonly hostname: string;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly err?: { type: string; message: string; stack?: string; [key: string]: unknown };
}

/** How each record becomes the text of its Loki line. */
export type LineFormat = 'logfmt' | 'json' | 'pattern';
/** The push body: protobuf + snappy (Loki's native format) or JSON (optionally gzip). */
export type WireFormat = 'protobuf' | 'json';
/** What happens when the queue is full. */
export type QueuePolicy = 'drop-oldest' | 'backpressure';
/** Why lines were dropped. */
export type DropReason = 'queue_full' | 'rejected' | 'retries_exhausted' | 'too_long' | 'closed';

/** TLS settings for an `https:` URL. */
export interface LokiTlsOptions {
  /** PEM CA certificate(s) to trust in addition to (or instead of) the system ones. */
  ca?: string | string[];
  /** PEM client certificate, for mutual TLS. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
  /** Refuse servers whose certificate does not verify. @default true */
  rejectUnauthorized?: boolean;
  /** Server name for SNI and certificate checks. @default the URL's host */
  servername?: string;
}

/** Options of `createLokiClient` and of every face (pino, winston, log-core handler, CLI). */
export interface LokiOptions {
  /** Loki base URL (`http://loki:3100`) or the full push URL (`.../loki/api/v1/push`). */
  url: string;
  /** Static labels added to every stream. They win over a promoted field of the same name. @default {} */
  labels?: Record<string, string>;
  /**
   * Record fields promoted to labels. `level` and `logger` name the record's level and logger name.
   * @default ['service', 'level', 'logger']
   */
  labelFields?: string[];
  /** Record fields sent as structured metadata (high-cardinality values). @default ['user', 'userId', 'user_id', 'serviceId', 'service_id', 'instance', 'instanceId', 'trace_id', 'traceId', 'span_id', 'spanId', 'request_id', 'requestId'] */
  structuredMetadata?: string[];
  /** Keep structured-metadata fields in the line too, so line filters such as `|~ "user=user123"` find them. @default true */
  metadataInLine?: boolean;
  /** Line format. `'pattern'` uses log-core's `patternFormatter(pattern)`. @default 'logfmt' */
  format?: LineFormat;
  /** The log-core pattern for `format: 'pattern'`. @default log-core's DEFAULT_PATTERN */
  pattern?: string;
  /** A formatter function; overrides `format` (not available through pino's worker: functions do not clone). */
  formatter?: (record: LokiRecord) => string;
  /** Fields left out of the line (they are on every record and say little). @default ['pid', 'hostname'] */
  omitFields?: string[];
  /** Fields shown under another key in logfmt lines. @default { userId: 'user', user_id: 'user' } */
  renameFields?: Record<string, string>;
  /** Push body format. @default 'protobuf' */
  wire?: WireFormat;
  /** gzip JSON bodies (`wire: 'json'` only). @default false */
  gzip?: boolean;
  /** Send a batch once its lines reach this many bytes. @default 1048576 */
  batchBytes?: number;
  /** Send a batch once it is this old, in ms. @default 1000 */
  batchWait?: number;
  /**
   * Also send the batch being built as soon as the logger has gone quiet (nothing
   * more to read this turn of the event loop) and no request is in flight, so a
   * burst's tail does not wait `batchWait`. Under sustained load a request is
   * always in flight and batches fill up by size or age as usual.
   * @default true
   */
  sendWhenIdle?: boolean;
  /**
   * With `sendWhenIdle`, the least time between a batch going out and the
   * next send made because the logger is idle, in ms: a logger writing a few
   * lines every millisecond is shipped in batches of this many milliseconds
   * rather than a request per few lines. A line logged after a quiet spell
   * still goes at once. Batches that reach `batchBytes` go at once regardless.
   * @default 100
   */
  idleSendGap?: number;
  /** Longest line Loki accepts, in bytes (Loki's max_line_size, 256KB). @default 256000 */
  maxLineBytes?: number;
  /** What to do with a longer line. @default 'truncate' */
  lineTooLong?: 'truncate' | 'drop';
  /** Appended to a truncated line. @default '…[truncated]' */
  truncateMarker?: string;
  /**
   * Retries of a batch after the first attempt. By default there is no count: a
   * batch is retried (429, 5xx, timeouts, connection errors) until Loki takes it;
   * what bounds an outage is the queue (`queueBytes`, `spoolBytes`), whose
   * evictions are counted as `queue_full`, and `close()`'s `drainTimeout`.
   * A finite number drops the batch after that many retries (`retries_exhausted`).
   * @default Infinity
   */
  maxRetries?: number;
  /** First backoff ceiling, in ms (full jitter: the wait is random in [0, ceiling)). @default 500 */
  minBackoff?: number;
  /** Largest backoff ceiling, in ms. @default 300000 */
  maxBackoff?: number;
  /**
   * How long a request may go without an answer, in ms. A timed-out push is
   * retried (Loki ignores the exact duplicates if the first one did land), each
   * time with twice the timeout, up to 4 times this. @default 30000
   */
  timeout?: number;
  /** Bound of the send queue (encoded batches waiting), in bytes. @default 16777216 */
  queueBytes?: number;
  /** When the queue is full: drop the oldest batch (counted) or make the producer wait. @default 'drop-oldest' */
  queuePolicy?: QueuePolicy;
  /** Spool folder: batches are written here before they are sent and removed once Loki accepts them. @default undefined (memory only) */
  spoolDir?: string;
  /** Bound of the spool folder, in bytes. @default 268435456 */
  spoolBytes?: number;
  /**
   * With a spool: the longest a pushed line waits in memory before it is on
   * disk, in ms (the batch being built is written out this often). A process
   * killed with SIGKILL loses at most the lines of this window. @default 200
   */
  spoolWindow?: number;
  /** With a spool: `'batch'` forces each spooled batch to disk (fsync) so it survives a power loss too; `'never'` leaves it to the page cache, which survives a killed process. @default 'never' */
  spoolFsync?: 'never' | 'batch';
  /**
   * Push requests in flight at once. A slow Loki is then still kept up with:
   * the client sends up to `maxInFlight * batchBytes` per request time.
   * Batches may reach Loki out of order (Loki accepts that within its window). @default 8
   */
  maxInFlight?: number;
  /**
   * On `process.exit()` (the `'exit'` event), hand what is not delivered yet
   * to the spool, or push it synchronously within `drainTimeout`; what still
   * cannot be delivered is counted as `closed` and reported on stderr. @default true
   */
  flushOnExit?: boolean;
  /** How long `flush()` and `close()` wait for the queue to drain, in ms. @default 5000 */
  drainTimeout?: number;
  /** Tenant, sent as `X-Scope-OrgID`. @default undefined */
  tenant?: string;
  /** Basic auth (Grafana Cloud, most proxies). @default undefined */
  basicAuth?: { username: string; password: string };
  /** Bearer token. @default undefined */
  bearerToken?: string;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** TLS settings for `https:` URLs. @default {} */
  tls?: LokiTlsOptions;
  /** Interval of the counters report, in ms; 0 turns it off. @default 60000 */
  metricsInterval?: number;
  /** Receives the counters every `metricsInterval` (the faces log them on `pactown.loki`). */
  onMetrics?: (metrics: LokiMetrics) => void;
  /** Receives warnings (a server's reason for a rejected batch, once per kind). @default writes to stderr */
  onWarning?: (message: string) => void;
}

/** Request latency summary (seconds buckets follow Prometheus conventions). */
export interface LokiLatency {
  count: number;
  sumMs: number;
  maxMs: number;
  /** Cumulative counts of requests that took at most `le` seconds. */
  buckets: Array<{ le: number; count: number }>;
}

/** Counters of a client, as returned by `client.metrics()`. */
export interface LokiMetrics {
  /** Lines Loki accepted. */
  sentLines: number;
  /** UTF-8 bytes of the lines Loki accepted. */
  sentBytes: number;
  /** Bytes of push bodies Loki accepted (after compression). */
  wireBytes: number;
  /** Lines dropped, by reason. */
  droppedLines: Record<DropReason, number>;
  /** Line bytes dropped, by reason. */
  droppedBytes: Record<DropReason, number>;
  /** Lines cut to `maxLineBytes`. */
  truncatedLines: number;
  /** Lines whose label values held characters Loki refuses with the whole push (U+FFFD, lone surrogates), sent with each replaced by `?`. */
  relabelledLines: number;
  /** Push requests made, retries included. */
  requests: number;
  /** Requests repeated after a 429, 5xx, timeout or connection error. */
  retries: number;
  /** Pushes Loki answered 429 (rate limited); after each, every send slot waits out the backoff and sending resumes one request at a time. */
  throttled: number;
  /** Requests that ended in a 413 and were split. */
  splits: number;
  /** Spool folders that could not be opened and batches that could not be written to the spool (kept in memory instead, not durable). */
  spoolErrors: number;
  /** Why the last failed push attempt failed (`HTTP 503 ...`, `network: connect ECONNREFUSED ...`), or null when none failed. */
  lastError: string | null;
  latency: LokiLatency;
  /** Encoded bytes waiting in the queue. */
  queueBytes: number;
  queueBatches: number;
  queueLines: number;
  /** Lines in the batch being built. */
  pendingLines: number;
  /** Bytes and batches in the spool folder. */
  spoolBytes: number;
  spoolBatches: number;
}
