import type { LokiReceiverOptions } from './types.js';

/** Options after defaults and validation: every field present. */
export interface ResolvedOptions {
  host: string;
  port: number;
  multiTenant: boolean;
  maxBodyBytes: number;
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
  testEndpoints: boolean;
  now: () => number;
}

const DAY = 24 * 60 * 60 * 1000;

/** Loki's documented defaults, translated to bytes and milliseconds. */
export const DEFAULTS: Omit<ResolvedOptions, 'now'> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  multiTenant: false,
  maxBodyBytes: 100 * 1024 * 1024,
  maxLineSize: 256_000,
  maxLineSizeTruncate: false,
  maxLabelNamesPerSeries: 15,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048,
  rejectOldSamples: true,
  rejectOldSamplesMaxAgeMs: 7 * DAY,
  creationGracePeriodMs: 10 * 60 * 1000,
  outOfOrderWindowMs: 60 * 60 * 1000,
  allowStructuredMetadata: true,
  maxStructuredMetadataSize: 64_000,
  maxStructuredMetadataEntries: 128,
  ingestionRateBytes: Number.POSITIVE_INFINITY,
  ingestionBurstBytes: Number.POSITIVE_INFINITY,
  perStreamRateBytes: Number.POSITIVE_INFINITY,
  perStreamBurstBytes: Number.POSITIVE_INFINITY,
  maxStreamsPerTenant: 5000,
  maxReturnedErrors: 10,
  maxEntriesLimitPerQuery: 5000,
  discoverServiceName: Object.freeze([]) as readonly string[],
  testEndpoints: true,
});

/** The labels Loki 3 looks at, in order, to fill `service_name`. */
export const LOKI_SERVICE_NAME_LABELS: readonly string[] = Object.freeze([
  'service',
  'app',
  'application',
  'name',
  'app_kubernetes_io_name',
  'container',
  'container_name',
  'component',
  'workload',
  'job',
]);

function bad(name: string, value: unknown, want: string): TypeError {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    shown = typeof value;
  }
  return new TypeError(`[@pactown/loki-receiver] option "${name}" must be ${want}, got ${shown}`);
}

type Kind = 'boolean' | 'count' | 'amount' | 'port' | 'string';

const KINDS: Record<keyof typeof DEFAULTS, Kind | 'names'> = {
  host: 'string',
  port: 'port',
  multiTenant: 'boolean',
  maxBodyBytes: 'amount',
  maxLineSize: 'amount',
  maxLineSizeTruncate: 'boolean',
  maxLabelNamesPerSeries: 'count',
  maxLabelNameLength: 'count',
  maxLabelValueLength: 'count',
  rejectOldSamples: 'boolean',
  rejectOldSamplesMaxAgeMs: 'amount',
  creationGracePeriodMs: 'amount',
  outOfOrderWindowMs: 'amount',
  allowStructuredMetadata: 'boolean',
  maxStructuredMetadataSize: 'amount',
  maxStructuredMetadataEntries: 'amount',
  ingestionRateBytes: 'amount',
  ingestionBurstBytes: 'amount',
  perStreamRateBytes: 'amount',
  perStreamBurstBytes: 'amount',
  maxStreamsPerTenant: 'amount',
  maxReturnedErrors: 'amount',
  maxEntriesLimitPerQuery: 'amount',
  discoverServiceName: 'names',
  testEndpoints: 'boolean',
};

function check(name: string, kind: Kind | 'names', value: unknown): unknown {
  switch (kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw bad(name, value, 'a boolean');
      return value;
    case 'string':
      if (typeof value !== 'string' || value === '') throw bad(name, value, 'a non-empty string');
      return value;
    case 'port':
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
        throw bad(name, value, 'an integer port from 0 to 65535');
      }
      return value;
    case 'count':
      if (!Number.isInteger(value) || (value as number) < 1) throw bad(name, value, 'a positive integer');
      return value;
    case 'amount':
      if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
        throw bad(name, value, 'a number >= 0 (Infinity for no limit)');
      }
      return value;
    case 'names':
      if (value === true) return LOKI_SERVICE_NAME_LABELS;
      if (value === false) return [];
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
        throw bad(name, value, 'a boolean or an array of label names');
      }
      return Object.freeze([...value]);
  }
}

/** Copies, defaults and validates the options; throws TypeError naming a bad one. */
export function normalizeOptions(input: LokiReceiverOptions = {}): ResolvedOptions {
  if (input === null || typeof input !== 'object') throw bad('options', input, 'an object');
  const out: Record<string, unknown> = Object.create(null);
  for (const [name, kind] of Object.entries(KINDS)) {
    const value = (input as Record<string, unknown>)[name];
    out[name] = value === undefined ? DEFAULTS[name as keyof typeof DEFAULTS] : check(name, kind, value);
  }
  const now = input.now ?? Date.now;
  if (typeof now !== 'function') throw bad('now', now, 'a function returning epoch milliseconds');
  out.now = now;
  if (input.ingestionRateBytes !== undefined && input.ingestionBurstBytes === undefined) {
    // Loki's defaults keep the burst at 1.5x the rate (4 MB/s, burst 6 MB).
    out.ingestionBurstBytes = (out.ingestionRateBytes as number) * 1.5;
  }
  if (input.perStreamRateBytes !== undefined && input.perStreamBurstBytes === undefined) {
    // Loki's defaults keep the stream burst at 5x the stream rate (3 MB/s, burst 15 MB).
    out.perStreamBurstBytes = (out.perStreamRateBytes as number) * 5;
  }
  for (const name of Object.keys(input)) {
    if (!(name in KINDS) && name !== 'now') {
      throw new TypeError(`[@pactown/loki-receiver] unknown option "${name}" (known: ${[...Object.keys(KINDS), 'now'].join(', ')})`);
    }
  }
  return out as unknown as ResolvedOptions;
}
