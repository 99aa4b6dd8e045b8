import { badArgument } from './errors.js';
import type { LokiReceiverOptions } from './types.js';

// Reads the settings of a Loki configuration file (already parsed from YAML)
// that the receiver has an option for, with Loki's units: sizes as
// flagext.ByteSize (binary: 256KB = 262144), durations as Prometheus
// model.Duration (`1w`, `10m`, `1h30m`), ingestion rates in MB (x 1048576).

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1024,
  KB: 1024,
  M: 1024 ** 2,
  MB: 1024 ** 2,
  G: 1024 ** 3,
  GB: 1024 ** 3,
  T: 1024 ** 4,
  TB: 1024 ** 4,
};

function size(name: string, value: unknown): number {
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([A-Z]*)\s*$/.exec(value.toUpperCase()) : null;
  const unit = m ? SIZE_UNITS[m[2]!] : undefined;
  if (!m || unit === undefined)
    throw badArgument(`Loki setting ${name} must be a size such as 256KB, got ${JSON.stringify(value)}`);
  return Math.round(Number(m[1]) * unit);
}

const DURATION_UNITS: Record<string, number> = {
  y: 365 * 86_400_000,
  w: 7 * 86_400_000,
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
};

function duration(name: string, value: unknown): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const parts = [...text.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)];
  if (text === '' || parts.map((p) => p[0]).join('') !== text) {
    throw badArgument(`Loki setting ${name} must be a duration such as 1w or 10m, got ${JSON.stringify(value)}`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
}

function flag(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw badArgument(`Loki setting ${name} must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

function integer(name: string, value: unknown): number {
  if (!Number.isInteger(value))
    throw badArgument(`Loki setting ${name} must be an integer, got ${JSON.stringify(value)}`);
  return value as number;
}

const MB = 1024 * 1024;

type Reader = (name: string, value: unknown) => Partial<LokiReceiverOptions>;

const LIMITS: Record<string, Reader> = {
  allow_structured_metadata: (n, v) => ({ allowStructuredMetadata: flag(n, v) }),
  max_structured_metadata_size: (n, v) => ({ maxStructuredMetadataSize: size(n, v) }),
  max_structured_metadata_entries_count: (n, v) => ({ maxStructuredMetadataEntries: integer(n, v) }),
  max_line_size: (n, v) => ({ maxLineSize: size(n, v) }),
  max_line_size_truncate: (n, v) => ({ maxLineSizeTruncate: flag(n, v) }),
  max_label_names_per_series: (n, v) => ({ maxLabelNamesPerSeries: integer(n, v) }),
  max_label_name_length: (n, v) => ({ maxLabelNameLength: integer(n, v) }),
  max_label_value_length: (n, v) => ({ maxLabelValueLength: integer(n, v) }),
  reject_old_samples: (n, v) => ({ rejectOldSamples: flag(n, v) }),
  reject_old_samples_max_age: (n, v) => ({ rejectOldSamplesMaxAgeMs: duration(n, v) }),
  creation_grace_period: (n, v) => ({ creationGracePeriodMs: duration(n, v) }),
  ingestion_rate_mb: (n, v) => ({
    ingestionRateBytes: (typeof v === 'number' ? v : Number.NaN) * MB || badNumber(n, v),
  }),
  ingestion_burst_size_mb: (n, v) => ({
    ingestionBurstBytes: (typeof v === 'number' ? v : Number.NaN) * MB || badNumber(n, v),
  }),
  per_stream_rate_limit: (n, v) => ({ perStreamRateBytes: size(n, v) }),
  per_stream_rate_limit_burst: (n, v) => ({ perStreamBurstBytes: size(n, v) }),
  max_global_streams_per_user: (n, v) => ({ maxStreamsPerTenant: integer(n, v) }),
  max_entries_limit_per_query: (n, v) => ({ maxEntriesLimitPerQuery: integer(n, v) }),
  discover_log_levels: (n, v) => ({ discoverLogLevels: flag(n, v) }),
  discover_service_name: (n, v) => {
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw badArgument(`Loki setting ${n} must be a list of label names`);
    return { discoverServiceName: v as string[] };
  },
};

function badNumber(name: string, value: unknown): never {
  throw badArgument(`Loki setting ${name} must be a number, got ${JSON.stringify(value)}`);
}

/** Settings the receiver leaves alone: they change nothing it answers. */
const IGNORED = new Set([
  'volume_enabled',
  'metric_aggregation_enabled',
  'enable_multi_variant_queries',
  'retention_period',
]);

/**
 * Receiver options for a Loki configuration (the object a YAML parser gives
 * for Loki's config file): `auth_enabled`, `distributor.max_recv_msg_size`
 * and `max_decompressed_size`, `ingester.max_chunk_age` (the out-of-order
 * window is half of it), `ingester.max_returned_stream_errors` and the
 * `limits_config` settings the receiver implements. A `limits_config`
 * setting it does not know throws, so a deploy cannot drift silently.
 */
export function lokiConfigToReceiverOptions(config: Record<string, unknown>): LokiReceiverOptions {
  const out: LokiReceiverOptions = {};
  if (config.auth_enabled !== undefined) out.multiTenant = flag('auth_enabled', config.auth_enabled);
  const distributor = (config.distributor ?? {}) as Record<string, unknown>;
  if (distributor.max_recv_msg_size !== undefined)
    out.maxBodyBytes = integer('distributor.max_recv_msg_size', distributor.max_recv_msg_size);
  if (distributor.max_decompressed_size !== undefined)
    out.maxDecompressedBytes = integer('distributor.max_decompressed_size', distributor.max_decompressed_size);
  const ingester = (config.ingester ?? {}) as Record<string, unknown>;
  if (ingester.max_chunk_age !== undefined)
    out.outOfOrderWindowMs = duration('ingester.max_chunk_age', ingester.max_chunk_age) / 2;
  if (ingester.max_returned_stream_errors !== undefined)
    out.maxReturnedErrors = integer('ingester.max_returned_stream_errors', ingester.max_returned_stream_errors);
  const limits = (config.limits_config ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(limits)) {
    const read = LIMITS[name];
    if (read) Object.assign(out, read(`limits_config.${name}`, value));
    else if (!IGNORED.has(name))
      throw badArgument(
        `Loki setting limits_config.${name} has no receiver option; the receiver cannot answer as that Loki does`,
      );
  }
  return out;
}
