import { LabelValidator, streamLabelsTooLarge, type ValidLabels } from './labels.js';
import type { ResolvedOptions } from './options.js';
import { formatByteSize } from './push/byte-size.js';
import { detectLevel } from './push/detect-level.js';
import { GroupedErrors } from './push/grouped-errors.js';
import { MetadataNameError, normalizeMetadata } from './push/metadata.js';
import { RateLimiter } from './rate-limit.js';
import type { Store, StreamData } from './store.js';
import { formatGoTime, formatRfc3339 } from './time-format.js';
import { joinNs } from './timestamp.js';
import type { Labels } from './types.js';
import type { RawStream } from './wire/raw-stream.js';

/** Outcome of one push: the HTTP status Loki would answer and its body. */
export interface IngestResult {
  status: number;
  message: string;
  accepted: number;
  /** Bytes of the stored lines and their structured metadata. */
  acceptedBytes: number;
  rejected: number;
}

/** Loki's `util.StructuredMetadataSize`: names and values, in bytes. */
function metadataSize(meta: Labels | undefined): number {
  if (!meta) return 0;
  let bytes = 0;
  for (const name in meta) bytes += Buffer.byteLength(name) + Buffer.byteLength(meta[name]!);
  return bytes;
}

function metadataCount(meta: Labels | undefined): number {
  let count = 0;
  for (const _ in meta) count += 1;
  return count;
}

// The structured metadata of a line that has none but its detected_level: one frozen object per
// level, shared by those lines (stored metadata is only read), not an object per stored line.
const LEVEL_ONLY = new Map<string, Labels>();
function levelOnly(level: string): Labels {
  let meta = LEVEL_ONLY.get(level);
  if (meta === undefined) LEVEL_ONLY.set(level, (meta = Object.freeze({ detected_level: level })));
  return meta;
}

/** A set of listeners; `add` returns the function that removes one. */
export class StoredListeners {
  readonly #set = new Set<(tenant: string, stream: StreamData, indexes: number[]) => void>();
  add(fn: (tenant: string, stream: StreamData, indexes: number[]) => void): () => void {
    this.#set.add(fn);
    return () => this.#set.delete(fn);
  }
  get size(): number {
    return this.#set.size;
  }
  emit(tenant: string, stream: StreamData, indexes: number[]): void {
    for (const fn of this.#set) fn(tenant, stream, indexes);
  }
}

/** Loki's `reason` for a stream refused by ValidateLabels (pkg/validation/validate.go). */
function labelReason(message: string): string {
  if (message.startsWith('error at least one label pair')) return 'missing_labels';
  if (message.includes('label names; limit')) return 'max_label_names_per_series';
  if (message.includes('has label name too long')) return 'label_name_too_long';
  if (message.includes('has label value too long')) return 'label_value_too_long';
  if (message.includes('has duplicate label name')) return 'duplicate_label_names';
  return 'invalid_labels';
}

function streamBytes(raw: RawStream): number {
  let n = 0;
  for (let i = 0; i < raw.ms.length; i++) n += raw.end[i]! - raw.start[i]! + metadataSize(raw.metadata[i]);
  return n;
}

/** Where to cut `data[start, ...)` at `limit` bytes, moved back so no UTF-8 character is split. */
function utf8Cut(data: Buffer, start: number, limit: number): number {
  let cut = limit;
  while (cut > start && (data[cut]! & 0xc0) === 0x80) cut--;
  return cut;
}

interface Accepted {
  stream: ValidLabels;
  raw: RawStream;
  /** Indexes of the entries that passed validation. */
  good: number[];
}

interface StreamOutcome {
  stored: number;
  storedBytes: number;
  duplicates: number;
  /** The ingester's answer for the stream when some entries were refused. */
  error?: { status: number; message: string };
}

const RATE_LIMITED =
  "ingestion rate limit exceeded for user %s (limit: %d bytes/sec) while attempting to ingest '%d' lines totaling '%d' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased";

/**
 * Loki's write path in one place, in Loki 3.7's order: push parsing (labels,
 * service_name), the distributor's validation (grouped errors), the tenant
 * rate limit, then the ingester's stream rules (stream limit, per-stream rate,
 * out-of-order window).
 */
export class Ingester {
  readonly #labels: LabelValidator;
  readonly limiter: RateLimiter;
  readonly streamLimiter: RateLimiter;

  /** Listeners told which lines of a stream a push stored (the tail endpoint). */
  readonly onStored = new StoredListeners();

  /** Called for every refused line with Loki's `reason` label of `loki_discarded_samples_total`. */
  onDiscard: ((tenant: string, reason: string, lines: number, bytes: number) => void) | undefined;

  #discard(tenant: string, reason: string, lines: number, bytes: number): void {
    if (lines > 0) this.onDiscard?.(tenant, reason, lines, bytes);
  }

  constructor(
    readonly opts: ResolvedOptions,
    readonly store: Store,
  ) {
    this.#labels = new LabelValidator(opts);
    this.limiter = new RateLimiter(opts.ingestionRateBytes, opts.ingestionBurstBytes, opts.now);
    this.streamLimiter = new RateLimiter(opts.perStreamRateBytes, opts.perStreamBurstBytes, opts.now);
  }

  /** Loki's ValidateEntry (pkg/distributor/validator.go); returns its message when the entry is refused. */
  #checkEntry(raw: RawStream, i: number, key: string, nowMs: number): [reason: string, message: string] | undefined {
    const o = this.opts;
    const ms = raw.ms[i]!;
    const sub = raw.sub[i]!;
    const metadata = raw.metadata[i];
    if (o.rejectOldSamples) {
      const oldest = nowMs - o.rejectOldSamplesMaxAgeMs;
      if (ms < oldest) {
        return [
          'greater_than_max_sample_age',
          `entry for stream '${key}' has timestamp too old: ${formatRfc3339(joinNs(ms, sub))}, oldest acceptable timestamp is: ${formatRfc3339(joinNs(oldest, 0))}`,
        ];
      }
    }
    const newest = nowMs + o.creationGracePeriodMs;
    if (ms > newest || (ms === newest && sub > 0)) {
      return [
        'too_far_in_future',
        `entry for stream '${key}' has timestamp too new: ${formatRfc3339(joinNs(ms, sub))}`,
      ];
    }
    const size = raw.end[i]! - raw.start[i]!;
    if (o.maxLineSize > 0 && size > o.maxLineSize) {
      return [
        'line_too_long',
        `max entry size '${o.maxLineSize}' bytes exceeded for stream '${key}' while adding an entry with length '${size}' bytes`,
      ];
    }
    if (metadata) {
      const count = metadataCount(metadata);
      if (count > 0 && !o.allowStructuredMetadata) {
        return [
          'disallowed_structured_metadata',
          `stream '${key}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it`,
        ];
      }
      const bytes = metadataSize(metadata);
      if (o.maxStructuredMetadataSize > 0 && bytes > o.maxStructuredMetadataSize) {
        return [
          'structured_metadata_too_large',
          `stream '${key}' has structured metadata too large: '${bytes}' bytes, limit: '${o.maxStructuredMetadataSize}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it`,
        ];
      }
      if (o.maxStructuredMetadataEntries > 0 && count > o.maxStructuredMetadataEntries) {
        return [
          'structured_metadata_too_many',
          `stream '${key}' has too many structured metadata labels: '${count}', limit: '${o.maxStructuredMetadataEntries}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it`,
        ];
      }
    }
    return undefined;
  }

  /** Loki's truncateLines: with `maxLineSizeTruncate`, long lines are cut before validation. */
  #truncate(raw: RawStream): void {
    const o = this.opts;
    if (!o.maxLineSizeTruncate || o.maxLineSize <= 0) return;
    for (let i = 0; i < raw.ms.length; i++) {
      if (raw.end[i]! - raw.start[i]! > o.maxLineSize)
        raw.end[i] = utf8Cut(raw.data, raw.start[i]!, raw.start[i]! + o.maxLineSize);
    }
  }

  /** The entry's structured metadata after Loki's rewrites and detected_level. */
  #finishMetadata(raw: RawStream, i: number, labels: Labels): void {
    const o = this.opts;
    let meta = raw.metadata[i];
    if (meta) meta = normalizeMetadata(meta);
    if (o.allowStructuredMetadata && o.discoverLogLevels) {
      if (meta && Object.hasOwn(meta, 'detected_level')) meta = { ...meta };
      const level = detectLevel(labels, meta, () => raw.data.toString('utf8', raw.start[i]!, raw.end[i]!));
      if (level !== undefined) meta = meta === undefined ? levelOnly(level) : { ...meta, detected_level: level };
    }
    raw.metadata[i] = meta;
  }

  /** Runs a decoded push for a tenant. Valid entries are stored even when others are refused (Loki's partial accept). */
  push(tenant: string, streams: RawStream[]): IngestResult {
    const total = streams.reduce((n, raw) => n + raw.ms.length, 0);
    const refuse = (status: number, message: string): IngestResult => ({
      status,
      message,
      accepted: 0,
      acceptedBytes: 0,
      rejected: total,
    });
    if (streams.length === 0) return refuse(422, 'error at least one valid stream is required for ingestion');
    // pkg/loghttp/push/push.go parses every stream's labels before anything is validated.
    const prepared = [];
    for (const raw of streams) {
      // push.go refuses a stream's label text over 16 MiB before parsing it: 413 for the whole push.
      const tooLarge = streamLabelsTooLarge(raw.labelsText);
      if (tooLarge !== undefined) {
        for (const r of streams) this.#discard(tenant, 'request_body_too_large', r.ms.length, streamBytes(r));
        return refuse(413, tooLarge);
      }
      const p = this.#labels.prepare(raw.labelsText);
      if ('unparsable' in p) {
        for (const r of streams) this.#discard(tenant, 'invalid_labels', r.ms.length, streamBytes(r));
        return refuse(400, p.unparsable);
      }
      prepared.push(p);
    }
    const o = this.opts;
    const nowMs = Math.trunc(o.now());
    const errors = new GroupedErrors();
    const accepted: Accepted[] = [];
    let validLines = 0;
    let validBytes = 0;
    try {
      for (const [index, raw] of streams.entries()) {
        const count = raw.ms.length;
        if (count === 0) continue;
        this.#truncate(raw);
        const labels = prepared[index]!.result;
        if (typeof labels === 'string') {
          errors.add(labels);
          this.#discard(tenant, labelReason(labels), count, streamBytes(raw));
          continue;
        }
        const good: number[] = [];
        for (let i = 0; i < count; i++) {
          const why = this.#checkEntry(raw, i, labels.key, nowMs);
          if (why !== undefined) {
            errors.add(why[1]);
            this.#discard(tenant, why[0], 1, raw.end[i]! - raw.start[i]! + metadataSize(raw.metadata[i]));
            continue;
          }
          this.#finishMetadata(raw, i, labels.labels);
          good.push(i);
          validLines += 1;
          validBytes += raw.end[i]! - raw.start[i]! + metadataSize(raw.metadata[i]);
        }
        if (good.length > 0) accepted.push({ stream: labels, raw, good });
      }
    } catch (error) {
      // Loki returns a metadata name it cannot rewrite as a plain error: 500.
      if (error instanceof MetadataNameError) return refuse(500, error.message);
      throw error;
    }
    const validation = errors.size > 0 ? { status: 400, message: errors.toString() } : undefined;
    if (accepted.length === 0)
      return validation
        ? refuse(validation.status, validation.message)
        : { status: 204, message: '', accepted: 0, acceptedBytes: 0, rejected: total };
    if (!this.limiter.allow(tenant, validBytes)) {
      this.#discard(tenant, 'rate_limited', validLines, validBytes);
      const message = RATE_LIMITED.replace('%s', tenant)
        .replace('%d', String(Math.trunc(this.limiter.rate)))
        .replace('%d', String(validLines))
        .replace('%d', String(validBytes));
      return refuse(429, message);
    }
    let stored = 0;
    let storedBytes = 0;
    let duplicates = 0;
    // The ingester keeps only the last stream's outcome (pkg/ingester/instance.go),
    // and an ingester error wins over the distributor's validation errors.
    let ingester: StreamOutcome['error'];
    for (const { stream, raw, good } of accepted) {
      const outcome = this.#store(tenant, stream, raw, good);
      stored += outcome.stored;
      storedBytes += outcome.storedBytes;
      duplicates += outcome.duplicates;
      ingester = outcome.error;
    }
    this.store.added(stored);
    const answer = ingester ?? validation ?? { status: 204, message: '' };
    return {
      status: answer.status,
      message: answer.message,
      accepted: stored,
      acceptedBytes: storedBytes,
      rejected: total - stored - duplicates,
    };
  }

  #store(tenant: string, s: ValidLabels, raw: RawStream, good: number[]): StreamOutcome {
    const o = this.opts;
    let stream = this.store.get(tenant, s.key);
    if (!stream) {
      if (o.maxStreamsPerTenant > 0 && this.store.countStreams(tenant) >= o.maxStreamsPerTenant) {
        const message = `maximum active stream limit exceeded when trying to create stream ${s.key}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '${tenant}'`;
        this.#discard(
          tenant,
          'stream_limit',
          good.length,
          good.reduce((n, i) => n + raw.end[i]! - raw.start[i]! + metadataSize(raw.metadata[i]), 0),
        );
        return { stored: 0, storedBytes: 0, duplicates: 0, error: { status: 429, message } };
      }
      stream = this.store.getOrCreate(tenant, s.key, s.labels);
    }
    const windowMs = o.outOfOrderWindowMs;
    const failed: string[] = [];
    let stored = 0;
    let storedBytes = 0;
    let duplicates = 0;
    let failures = 0;
    let lastWasRateLimit = false;
    const limiter = this.streamLimiter;
    const limiterKey = `${tenant}\u0000${s.key}`;
    const watched = this.onStored.size > 0;
    const storedAt: Array<[number, number]> = [];
    // One clock reading for the stream's entries (stream.go validateEntries), so
    // the outcome never depends on how fast this loop runs.
    const checkedAt = limiter.now();
    // The push's lines older than the stream's newest are merged in once, after the loop.
    stream.deferLate();
    try {
      for (const i of good) {
        const ms = raw.ms[i]!;
        const sub = raw.sub[i]!;
        const size = raw.end[i]! - raw.start[i]! + metadataSize(raw.metadata[i]);
        let reason: string | undefined;
        if (!limiter.allow(limiterKey, size, checkedAt)) {
          reason = `Per stream rate limit exceeded (limit: ${formatByteSize(limiter.rate)}/sec) while attempting to ingest for stream '${s.key}' totaling ${formatByteSize(size)}, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased`;
          lastWasRateLimit = true;
        } else {
          const result = stream.append(ms, sub, raw.data, raw.start[i]!, raw.end[i]!, raw.metadata[i], windowMs);
          if (result === 'stored') {
            stored += 1;
            storedBytes += size;
            if (watched) storedAt.push([ms, sub]);
          } else if (result === 'duplicate') duplicates += 1;
          else {
            const cutoff = joinNs(stream.highestMs - windowMs, stream.highestSub);
            reason = `entry too far behind, entry timestamp is: ${formatRfc3339(joinNs(ms, sub))}, oldest acceptable timestamp is: ${formatRfc3339(cutoff)}`;
            lastWasRateLimit = false;
          }
        }
        if (reason !== undefined) {
          failures += 1;
          this.#discard(tenant, lastWasRateLimit ? 'per_stream_rate_limit' : 'too_far_behind', 1, size);
          if (o.maxReturnedErrors <= 0 || failed.length < o.maxReturnedErrors) {
            failed.push(`entry with timestamp ${formatGoTime(joinNs(ms, sub))} ignored, reason: '${reason}',`);
          }
        }
      }
    } finally {
      stream.settle();
    }
    if (watched && storedAt.length > 0) {
      // Indexes shift as lines are inserted: find each stored line by its time once the push is in.
      const seen = new Map<string, number>();
      const indexes = storedAt.map(([ms, sub]) => {
        const key = `${ms}:${sub}`;
        const n = seen.get(key) ?? 0;
        seen.set(key, n + 1);
        return stream.bound(ms, sub, true) - 1 - n;
      });
      this.onStored.emit(tenant, stream, indexes);
    }
    if (failures === 0) return { stored, storedBytes, duplicates };
    failed.push(`user '${tenant}', total ignored: ${failures} out of ${good.length} for stream: ${s.key}`);
    // pkg/ingester/stream.go: 429 when the last refused entry hit the stream's rate limit, else 400.
    return {
      stored,
      storedBytes,
      duplicates,
      error: { status: lastWasRateLimit ? 429 : 400, message: failed.join('\n') },
    };
  }
}
