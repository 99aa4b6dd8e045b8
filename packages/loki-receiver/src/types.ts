/**
 * Options of {@link startLokiReceiver}. Sizes are bytes, durations
 * milliseconds; every default is Loki 3.7.6's (see the README's table).
 */
export interface LokiReceiverOptions {
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. `up()` after `down()` reuses the same port. @default 0 */
  port?: number;
  /** Loki's `auth_enabled`: require `X-Scope-OrgID` (401 without it) and keep tenants apart. When off every request is tenant `fake`, as in Loki. @default false */
  multiTenant?: boolean;
  /** Loki's `distributor.max_recv_msg_size`: largest push body (413 above it). @default 104857600 (100 MiB) */
  maxBodyBytes?: number;
  /** Loki's `distributor.max_decompressed_size`: largest push body once decompressed (400 above it). @default 5242880000 (50 x 100 MiB) */
  maxDecompressedBytes?: number;
  /** Loki's `max_line_size` (`256KB`, binary): longest line in bytes (400 above it); 0 for no limit. @default 262144 */
  maxLineSize?: number;
  /** Loki's `max_line_size_truncate`: cut long lines to `maxLineSize` instead of refusing them. @default false */
  maxLineSizeTruncate?: boolean;
  /** Loki's `max_label_names_per_series` (`service_name` is not counted). @default 15 */
  maxLabelNamesPerSeries?: number;
  /** Loki's `max_label_name_length`, in bytes. @default 1024 */
  maxLabelNameLength?: number;
  /** Loki's `max_label_value_length`, in bytes. @default 2048 */
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
  /** Loki's `max_structured_metadata_size` per line (names + values; `64KB`, binary); 0 for no limit. @default 65536 */
  maxStructuredMetadataSize?: number;
  /** Loki's `max_structured_metadata_entries_count` per line; 0 for no limit. @default 128 */
  maxStructuredMetadataEntries?: number;
  /** Loki's `ingestion_rate_mb` in bytes per second per tenant (429 above it); `Infinity` turns it off. @default 4194304 (4 MiB/s) */
  ingestionRateBytes?: number;
  /** Loki's `ingestion_burst_size_mb` in bytes. @default 6291456 (6 MiB), or 1.5 x ingestionRateBytes when only that is set */
  ingestionBurstBytes?: number;
  /** Loki's `per_stream_rate_limit` in bytes per second per stream (429 for the lines above it); `Infinity` turns it off. @default 3145728 (3 MiB/s) */
  perStreamRateBytes?: number;
  /** Loki's `per_stream_rate_limit_burst` in bytes. @default 15728640 (15 MiB), or 5 x perStreamRateBytes when only that is set */
  perStreamBurstBytes?: number;
  /** Loki's `max_global_streams_per_user` (429 for new streams above it); 0 for no limit. @default 5000 */
  maxStreamsPerTenant?: number;
  /** Loki's `max_returned_stream_errors`: refused entries listed per stream in a partial accept; 0 for all. @default 10 */
  maxReturnedErrors?: number;
  /** Loki's `max_entries_limit_per_query`: largest `limit` a query may ask for. @default 5000 */
  maxEntriesLimitPerQuery?: number;
  /** Loki's `discover_service_name`: add `service_name` from the first of these labels found, else `unknown_service` (`true`: Loki's list; `false` or `[]`: off). @default true */
  discoverServiceName?: boolean | readonly string[];
  /** Loki's `discover_log_levels`: add `detected_level` to every line's structured metadata. @default true */
  discoverLogLevels?: boolean;
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
  /** Structured metadata as stored (with Loki's `detected_level` unless `discoverLogLevels: false`); empty object when none. */
  structuredMetadata: Labels;
}

/** The third value element with `categorizeLabels`: what is not a stream label. */
export interface CategorizedLabels {
  structuredMetadata?: Labels;
  parsed?: Labels;
}

/** One stream of a query result: Loki's answer shape. */
export interface LokiStreamResult {
  /** Stream labels; without `categorizeLabels` also the line's structured metadata. */
  stream: Labels;
  /** `[ns, line]`, or `[ns, line, {structuredMetadata?}]` with `categorizeLabels`. */
  values: Array<[string, string] | [string, string, CategorizedLabels]>;
}

/** `data` of a Loki log query answer. */
export interface LokiQueryData {
  resultType: 'streams';
  result: LokiStreamResult[];
  /** Loki's full query statistics object. */
  stats: Record<string, unknown>;
  /** `['categorize-labels']` when asked for. */
  encodingFlags?: string[];
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
  /** Answer as Loki does for `X-Loki-Response-Encoding-Flags: categorize-labels`. @default false */
  categorizeLabels?: boolean;
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
