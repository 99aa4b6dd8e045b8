import { defineOptions } from '@pactown/options';
import { LOKI_LEVEL_FIELDS } from './push/detect-level.js';
import type { LokiReceiverOptions } from './types.js';

/** Options after defaults and validation: every field present. */
export interface ResolvedOptions {
  host: string;
  port: number;
  multiTenant: boolean;
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxLineSize: number;
  maxLineSizeTruncate: boolean;
  maxLabelNamesPerSeries: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  rejectOldSamples: boolean;
  rejectOldSamplesMaxAgeMs: number;
  creationGracePeriodMs: number;
  outOfOrderWindowMs: number;
  allowStructuredMetadata: boolean;
  maxStructuredMetadataSize: number;
  maxStructuredMetadataEntries: number;
  ingestionRateBytes: number;
  ingestionBurstBytes: number;
  perStreamRateBytes: number;
  perStreamBurstBytes: number;
  maxStreamsPerTenant: number;
  maxReturnedErrors: number;
  maxEntriesLimitPerQuery: number;
  discoverServiceName: readonly string[];
  discoverLogLevels: boolean;
  testEndpoints: boolean;
  now: () => number;
}

const KiB = 1024;
const MiB = 1024 * KiB;
const DAY = 24 * 60 * 60 * 1000;

/** The Loki release whose defaults, answers and messages the receiver follows. */
export const LOKI_VERSION = '3.7.6';

/** The labels Loki 3.7 looks at, in order, to fill `service_name` (`discover_service_name`). */
export const LOKI_SERVICE_NAME_LABELS: readonly string[] = Object.freeze([
  'service',
  'app',
  'application',
  'app_name',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'k8s_container_name',
  'component',
  'workload',
  'job',
  'k8s_job_name',
]);

export { LOKI_LEVEL_FIELDS };

const bytes = (doc: string, value: number, shown: string) => ({
  kind: 'number' as const,
  min: 0,
  infinity: true,
  default: value,
  defaultText: shown,
  doc,
});
const count = (doc: string, value: number) => ({ kind: 'integer' as const, min: 1, default: value, doc });
const ms = (doc: string, value: number, shown: string) => ({
  kind: 'number' as const,
  min: 0,
  infinity: true,
  default: value,
  defaultText: shown,
  doc,
});

/** The receiver's options, each named once: kind, default (Loki 3.7's) and the Loki setting it stands for. */
export const OPTIONS = defineOptions({
  pkg: '@pactown/loki-receiver',
  prefix: 'PACTOWN_RECEIVER',
  options: {
    host: { kind: 'text', default: '127.0.0.1', doc: 'interface to listen on' },
    port: { kind: 'port', default: 0, doc: 'port; 0 picks a free one, `up()` reuses it' },
    multiTenant: {
      kind: 'boolean',
      default: false,
      doc: '`auth_enabled`: require `X-Scope-OrgID` (401 without it); off, every request is tenant `fake`',
    },
    maxBodyBytes: bytes(
      '`distributor.max_recv_msg_size`: largest push body (413 above it)',
      100 * MiB,
      '`104857600` (100 MiB)',
    ),
    maxDecompressedBytes: bytes(
      '`distributor.max_decompressed_size`: largest push body once decompressed (400 above it)',
      5000 * MiB,
      '`5242880000` (50 x 100 MiB)',
    ),
    maxLineSize: bytes(
      '`max_line_size` (`256KB`, binary units: 400 above it; 0 for no limit)',
      256 * KiB,
      '`262144` (256 KiB)',
    ),
    maxLineSizeTruncate: {
      kind: 'boolean',
      default: false,
      doc: '`max_line_size_truncate`: cut long lines instead of refusing them',
    },
    maxLabelNamesPerSeries: count('`max_label_names_per_series` (`service_name` not counted)', 15),
    maxLabelNameLength: count('`max_label_name_length`, in bytes', 1024),
    maxLabelValueLength: count('`max_label_value_length`, in bytes', 2048),
    rejectOldSamples: { kind: 'boolean', default: true, doc: '`reject_old_samples`' },
    rejectOldSamplesMaxAgeMs: ms('`reject_old_samples_max_age`', 7 * DAY, '`604800000` (7 days)'),
    creationGracePeriodMs: ms(
      '`creation_grace_period`: how far in the future a line may be',
      10 * 60 * 1000,
      '`600000` (10 min)',
    ),
    outOfOrderWindowMs: ms(
      "half of `max_chunk_age` (2 h): how far behind its stream's newest line a line may be",
      60 * 60 * 1000,
      '`3600000` (1 h)',
    ),
    allowStructuredMetadata: { kind: 'boolean', default: true, doc: '`allow_structured_metadata`' },
    maxStructuredMetadataSize: bytes(
      '`max_structured_metadata_size` per line, names and values (`64KB`; 0 for no limit)',
      64 * KiB,
      '`65536` (64 KiB)',
    ),
    maxStructuredMetadataEntries: {
      kind: 'integer',
      min: 0,
      default: 128,
      doc: '`max_structured_metadata_entries_count` per line (0 for no limit)',
    },
    ingestionRateBytes: bytes(
      '`ingestion_rate_mb` in bytes per second per tenant (429 above it; `Infinity` turns it off)',
      4 * MiB,
      '`4194304` (4 MiB/s)',
    ),
    ingestionBurstBytes: bytes(
      '`ingestion_burst_size_mb` in bytes',
      6 * MiB,
      '`6291456` (6 MiB), or 1.5 x `ingestionRateBytes` when only that is set',
    ),
    perStreamRateBytes: bytes(
      '`per_stream_rate_limit` in bytes per second per stream (`Infinity` turns it off)',
      3 * MiB,
      '`3145728` (3 MiB/s)',
    ),
    perStreamBurstBytes: bytes(
      '`per_stream_rate_limit_burst` in bytes',
      15 * MiB,
      '`15728640` (15 MiB), or 5 x `perStreamRateBytes` when only that is set',
    ),
    maxStreamsPerTenant: {
      kind: 'integer',
      min: 0,
      infinity: true,
      default: 5000,
      doc: '`max_global_streams_per_user` (429 for a new stream above it; 0 for no limit)',
    },
    maxReturnedErrors: {
      kind: 'integer',
      min: 0,
      default: 10,
      doc: '`max_returned_stream_errors`: refused entries listed per stream in a partial accept (0 for all)',
    },
    maxEntriesLimitPerQuery: {
      kind: 'integer',
      min: 0,
      default: 5000,
      doc: '`max_entries_limit_per_query`: largest `limit` a query may ask for',
    },
    discoverServiceName: {
      kind: 'any',
      default: LOKI_SERVICE_NAME_LABELS,
      defaultText: "`true` (Loki's list, `LOKI_SERVICE_NAME_LABELS`)",
      doc: '`discover_service_name`: add `service_name` from the first of these labels, else `unknown_service`; `false` or `[]` turns it off',
      want: 'a boolean or an array of label names',
      check: (v) =>
        typeof v === 'boolean' || (Array.isArray(v) && v.every((n) => typeof n === 'string' && n !== ''))
          ? undefined
          : 'a boolean or an array of label names',
      map: (v) =>
        v === true ? LOKI_SERVICE_NAME_LABELS : v === false ? Object.freeze([]) : Object.freeze([...(v as string[])]),
    },
    discoverLogLevels: {
      kind: 'boolean',
      default: true,
      doc: "`discover_log_levels`: add `detected_level` to each line's structured metadata",
    },
    testEndpoints: { kind: 'boolean', default: true, doc: 'serve the test-only endpoints under `/__test__/`' },
    now: {
      kind: 'function',
      default: Date.now,
      defaultText: '`Date.now`',
      doc: 'clock in epoch milliseconds, for age checks and query defaults',
    },
  },
});

/** Loki's documented defaults, in bytes and milliseconds. */
export const DEFAULTS: Readonly<Omit<ResolvedOptions, 'now'>> = Object.freeze(
  Object.fromEntries(OPTIONS.names.filter((n) => n !== 'now').map((n) => [n, OPTIONS.rules[n]!.default])) as Omit<
    ResolvedOptions,
    'now'
  >,
);

/** Copies, defaults and validates the options; throws a coded TypeError naming a bad or unknown one. */
export function normalizeOptions(input: LokiReceiverOptions = {}): ResolvedOptions {
  const out = OPTIONS.parse(input, 'startLokiReceiver() options') as ResolvedOptions;
  const given = input as Record<string, unknown>;
  // Loki's defaults keep the tenant burst at 1.5x the rate and the stream burst at 5x.
  if (given.ingestionRateBytes !== undefined && given.ingestionBurstBytes === undefined)
    out.ingestionBurstBytes = out.ingestionRateBytes * 1.5;
  if (given.perStreamRateBytes !== undefined && given.perStreamBurstBytes === undefined)
    out.perStreamBurstBytes = out.perStreamRateBytes * 5;
  return out;
}
