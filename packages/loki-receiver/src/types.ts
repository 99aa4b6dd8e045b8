/** Options of {@link startLokiReceiver}. Sizes are bytes, durations milliseconds. */
export interface LokiReceiverOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. `up()` after `down()` reuses the same port. @default 0 */
  port?: number;
  /** Loki's `auth_enabled`: require `X-Scope-OrgID` (401 without it) and keep tenants apart. When off every request is tenant `fake`, as in Loki. @default false */
  multiTenant?: boolean;
  /** Largest request body, compressed or decompressed (413 above it). @default 104857600 (100 MiB) */
  maxBodyBytes?: number;
  /** Loki's `max_line_size`: longest line in bytes (400 above it). @default 256000 (256KB) */
  maxLineSize?: number;
  /** Loki's `max_line_size_truncate`: cut long lines to `maxLineSize` instead of rejecting them. @default false */
  maxLineSizeTruncate?: boolean;
  /** Loki's `max_label_names_per_series`. @default 15 */
  maxLabelNamesPerSeries?: number;
  /** Loki's `max_label_name_length`. @default 1024 */
  maxLabelNameLength?: number;
  /** Loki's `max_label_value_length`. @default 2048 */
  maxLabelValueLength?: number;
  /** Loki's `reject_old_samples`. @default true */
  rejectOldSamples?: boolean;
  /** Loki's `reject_old_samples_max_age`. @default 604800000 (7 days) */
  rejectOldSamplesMaxAgeMs?: number;
  /** Loki's `creation_grace_period`: how far in the future a timestamp may be. @default 600000 (10 min) */
  creationGracePeriodMs?: number;
  /** Half of Loki's `max_chunk_age`: how far behind the newest line of its stream a line may be. @default 3600000 (1 h) */
  outOfOrderWindowMs?: number;
  /** Loki's `allow_structured_metadata`. @default true */
  allowStructuredMetadata?: boolean;
  /** Loki's `max_structured_metadata_size` per line (names + values). @default 64000 (64KB) */
  maxStructuredMetadataSize?: number;
  /** Loki's `max_structured_metadata_entries_count` per line. @default 128 */
  maxStructuredMetadataEntries?: number;
  /** Loki's `ingestion_rate_mb` in bytes per second per tenant (429 above it). Loki's default is 4 MB/s; off here so benchmarks are not throttled. @default Infinity */
  ingestionRateBytes?: number;
  /** Loki's `ingestion_burst_size_mb` in bytes. @default 1.5 x ingestionRateBytes */
  ingestionBurstBytes?: number;
  /** Loki's `per_stream_rate_limit` in bytes per second per stream (429 for the lines above it). Loki's default is 3 MB/s; off here. @default Infinity */
  perStreamRateBytes?: number;
  /** Loki's `per_stream_rate_limit_burst` in bytes. @default 5 x perStreamRateBytes */
  perStreamBurstBytes?: number;
  /** Loki's `max_global_streams_per_user` (429 for new streams above it). @default 5000 */
  maxStreamsPerTenant?: number;
  /** How many ignored entries a partial-accept answer lists, as Loki's `max_returned_stream_errors`. @default 10 */
  maxReturnedErrors?: number;
  /** Loki's `max_entries_limit_per_query`: largest `limit` a query may ask for. @default 5000 */
  maxEntriesLimitPerQuery?: number;
  /** Loki 3's `discover_service_name`: add `service_name` from the first of these labels found (true: Loki's list). @default false */
  discoverServiceName?: boolean | readonly string[];
  /** Serve the test-only endpoints under `/__test__/`. @default true */
  testEndpoints?: boolean;
  /** Clock in epoch milliseconds (for age checks and query defaults). @default Date.now */
  now?: () => number;
}

/** Labels of a stream: name to value. */
export type Labels = Record<string, string>;

/** One stored log line, as `entries()` returns it (label and metadata objects are frozen). */
export interface ReceivedEntry {
  /** Tenant (`fake` when multi-tenancy is off). */
  tenant: string;
  /** The stream's labels. */
  labels: Labels;
  /** The stream's canonical selector, `{a="b", c="d"}` (names sorted, values Go-quoted). */
  stream: string;
  /** Unix epoch nanoseconds as a decimal string, as on Loki's wire. */
  timestamp: string;
  /** Unix epoch nanoseconds. */
  timestampNs: bigint;
  line: string;
  /** Structured metadata; empty object when none. */
  structuredMetadata: Labels;
}

/** One stream of a query result: Loki's answer shape. */
export interface LokiStreamResult {
  stream: Labels;
  /** `[ns, line]`, or `[ns, line, structuredMetadata]` when the line has any. */
  values: Array<[string, string] | [string, string, Labels]>;
}

/** `data` of a Loki log query answer. */
export interface LokiQueryData {
  resultType: 'streams';
  result: LokiStreamResult[];
  stats: Record<string, unknown>;
}

/** Options of `receiver.query()`. Unlike the HTTP endpoint, the defaults cover all stored lines. */
export interface QueryOptions {
  /** Inclusive start: ns as bigint/string, a Date, or RFC3339. @default 0 */
  start?: bigint | string | number | Date;
  /** Exclusive end. @default no limit */
  end?: bigint | string | number | Date;
  /** Most lines to return. @default Infinity */
  limit?: number;
  /** @default 'forward' */
  direction?: 'forward' | 'backward';
  /** Tenant to read. @default 'fake' */
  tenant?: string;
}

/** Options of `failNext()`. */
export interface FailOptions {
  /** Send a `Retry-After` header with this many seconds. */
  retryAfter?: number;
  /** Response body. @default a short explanation */
  body?: string;
  /** Which requests fail: pushes only, or every request. @default 'push' */
  scope?: 'push' | 'all';
}

/** Options of `down()`. */
export interface DownOptions {
  /** `refuse`: stop listening (ECONNREFUSED). `reset`: keep listening, drop every connection (ECONNRESET). @default 'refuse' */
  mode?: 'refuse' | 'reset';
}

/** Per content-type traffic counters. */
export interface TrafficCounter {
  requests: number;
  /** Request body bytes as received (compressed). */
  bytes: number;
}

/** Counters from `stats()`. */
export interface ReceiverStats {
  /** Push requests and body bytes by `Content-Type` (parameters dropped, lower-cased). */
  push: Record<string, TrafficCounter>;
  /** Every push answer by HTTP status. */
  pushStatus: Record<string, number>;
  /** All requests seen, any path. */
  requests: number;
  /** Lines stored. */
  acceptedLines: number;
  /** Lines refused with a 4xx answer. */
  rejectedLines: number;
  /** Lines currently held. */
  entries: number;
  /** Streams currently held. */
  streams: number;
}
