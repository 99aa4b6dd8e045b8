import { LabelValidator, type ValidLabels } from './labels.js';
import type { ResolvedOptions } from './options.js';
import type { RawStream } from './proto.js';
import { RateLimiter } from './rate-limit.js';
import type { Store } from './store.js';
import { formatGoTime, formatRfc3339 } from './time-format.js';
import { joinNs } from './timestamp.js';
import type { Labels } from './types.js';

/** Outcome of one push: the HTTP status Loki would answer and its body. */
export interface IngestResult {
  status: number;
  message: string;
  accepted: number;
  rejected: number;
}

/** Byte sizes the way Go's humanize.Bytes prints them (SI units): `3.0 MB`, `15 MB`. */
function humanBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.min(Math.floor(Math.log(n) / Math.log(1000)), units.length - 1);
  const value = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  return `${value < 10 ? value.toFixed(1) : value.toFixed(0)} ${units[e]}`;
}

function metadataSize(meta: Labels): [bytes: number, count: number] {
  let bytes = 0;
  let count = 0;
  for (const name in meta) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(meta[name]!);
    count += 1;
  }
  return [bytes, count];
}

/**
 * Where to cut a line of UTF-8 bytes `data[start, end)` that is longer than
 * allowed: at `limit`, moved back so no character is split.
 */
function utf8Cut(data: Buffer, start: number, limit: number): number {
  let cut = limit;
  // A continuation byte (10xxxxxx) at the cut belongs to a character that starts before it.
  while (cut > start && (data[cut]! & 0xc0) === 0x80) cut--;
  return cut;
}

interface Accepted {
  stream: { key: string; labels: Labels };
  raw: RawStream;
  /** Indexes of the entries that passed validation. */
  good: number[];
}

/** Loki's write path in one place: distributor validation, rate limit, then the ingester's stream rules. */
export class Ingester {
  readonly #labels: LabelValidator;
  readonly limiter: RateLimiter;
  readonly streamLimiter: RateLimiter;

  constructor(
    readonly opts: ResolvedOptions,
    readonly store: Store,
  ) {
    this.#labels = new LabelValidator(opts);
    this.limiter = new RateLimiter(opts.ingestionRateBytes, opts.ingestionBurstBytes, opts.now);
    this.streamLimiter = new RateLimiter(opts.perStreamRateBytes, opts.perStreamBurstBytes, opts.now);
  }

  /** Validates an entry; returns Loki's message when it is refused (and may truncate the line). */
  #checkEntry(raw: RawStream, i: number, key: string, nowMs: number): string | undefined {
    const o = this.opts;
    const ms = raw.ms[i]!;
    const sub = raw.sub[i]!;
    const metadata = raw.metadata[i];
    if (o.rejectOldSamples) {
      const oldest = nowMs - o.rejectOldSamplesMaxAgeMs;
      if (ms < oldest) {
        return `entry for stream '${key}' has timestamp too old: ${formatRfc3339(joinNs(ms, sub))}, oldest acceptable timestamp is: ${formatRfc3339(joinNs(oldest, 0))}`;
      }
    }
    const newest = nowMs + o.creationGracePeriodMs;
    if (ms > newest || (ms === newest && sub > 0)) {
      return `entry for stream '${key}' has timestamp too new: ${formatRfc3339(joinNs(ms, sub))}`;
    }
    const size = raw.end[i]! - raw.start[i]!;
    if (o.maxLineSize > 0 && size > o.maxLineSize) {
      if (!o.maxLineSizeTruncate) {
        return `Max entry size '${o.maxLineSize}' bytes exceeded for stream '${key}' while adding an entry with length '${size}' bytes`;
      }
      raw.end[i] = utf8Cut(raw.data, raw.start[i]!, raw.start[i]! + o.maxLineSize);
    }
    if (metadata) {
      if (!o.allowStructuredMetadata) {
        return `stream '${key}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`;
      }
      const [bytes, count] = metadataSize(metadata);
      if (bytes > o.maxStructuredMetadataSize) {
        return `stream '${key}' has structured metadata too large: '${bytes}' bytes, limit: '${o.maxStructuredMetadataSize}' bytes. Please see \`limits_config.max_structured_metadata_size\` or contact your Loki administrator to increase it.`;
      }
      if (count > o.maxStructuredMetadataEntries) {
        return `stream '${key}' has too many structured metadata labels: '${count}', limit: '${o.maxStructuredMetadataEntries}'. Please see \`limits_config.max_structured_metadata_entries_count\` or contact your Loki administrator to increase it.`;
      }
    }
    return undefined;
  }

  /** Runs a decoded push for a tenant. Valid entries are stored even when others are refused (Loki's partial accept). */
  push(tenant: string, streams: RawStream[]): IngestResult {
    const o = this.opts;
    const nowMs = Math.trunc(o.now());
    const errors: string[] = [];
    const accepted: Accepted[] = [];
    let rejected = 0;
    let validLines = 0;
    let validBytes = 0;
    // Loki 3 parses every stream's labels while reading the push: one that does
    // not parse refuses the whole push before anything is validated or stored.
    const checked = streams.map((raw) => this.#labels.validate(raw.labelsText));
    const unparsable = checked.find((c) => typeof c === 'object' && 'unparsable' in c);
    if (unparsable) {
      const total = streams.reduce((n, raw) => n + raw.ms.length, 0);
      return { status: 400, message: unparsable.unparsable, accepted: 0, rejected: total };
    }
    for (const [index, raw] of streams.entries()) {
      const count = raw.ms.length;
      const labels = checked[index] as ValidLabels | string;
      if (typeof labels === 'string') {
        errors.push(labels);
        rejected += count;
        continue;
      }
      const good: number[] = [];
      for (let i = 0; i < count; i++) {
        const why = this.#checkEntry(raw, i, labels.key, nowMs);
        if (why === undefined) {
          good.push(i);
          validLines += 1;
          if (this.limiter.enabled) {
            validBytes += raw.end[i]! - raw.start[i]!;
            const meta = raw.metadata[i];
            if (meta) validBytes += metadataSize(meta)[0];
          }
        } else {
          errors.push(why);
          rejected += 1;
        }
      }
      if (good.length > 0) accepted.push({ stream: labels, raw, good });
    }
    if (validLines > 0 && !this.limiter.allow(tenant, validBytes)) {
      const message = `Ingestion rate limit exceeded for user ${tenant} (limit: ${Math.trunc(this.limiter.rate)} bytes/sec) while attempting to ingest '${validLines}' lines totaling '${validBytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;
      return { status: 429, message, accepted: 0, rejected: rejected + validLines };
    }
    let status = errors.length > 0 ? 400 : 204;
    let stored = 0;
    for (const { stream, raw, good } of accepted) {
      const outcome = this.#store(tenant, stream, raw, good);
      stored += outcome.stored;
      rejected += good.length - outcome.stored - outcome.duplicates;
      if (outcome.error) {
        errors.push(outcome.error);
        if (outcome.status === 429) status = 429;
        else if (status === 204) status = 400;
      }
    }
    this.store.added(stored);
    return { status, message: errors.join('\n'), accepted: stored, rejected };
  }

  #store(tenant: string, s: { key: string; labels: Labels }, raw: RawStream, good: number[]) {
    const o = this.opts;
    let stream = this.store.get(tenant, s.key);
    if (!stream) {
      if (this.store.countStreams(tenant) >= o.maxStreamsPerTenant) {
        const error = `Maximum active stream limit exceeded when trying to create stream ${s.key}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '${tenant}'`;
        return { stored: 0, duplicates: 0, error, status: 429 };
      }
      stream = this.store.getOrCreate(tenant, s.key, s.labels);
    }
    const windowMs = o.outOfOrderWindowMs;
    const failed: string[] = [];
    let stored = 0;
    let duplicates = 0;
    let failures = 0;
    let lastWasRateLimit = false;
    const limiter = this.streamLimiter;
    const limiterKey = `${tenant}\u0000${s.key}`;
    for (const i of good) {
      const ms = raw.ms[i]!;
      const sub = raw.sub[i]!;
      const size = raw.end[i]! - raw.start[i]!;
      let reason: string | undefined;
      if (limiter.enabled && !limiter.allow(limiterKey, size)) {
        reason = `Per stream rate limit exceeded (limit: ${humanBytes(limiter.rate)}/sec) while attempting to ingest for stream '${s.key}' totaling ${humanBytes(size)}, consider splitting a stream via additional labels or contact your Loki administrator to see if the limit can be increased`;
        lastWasRateLimit = true;
      } else {
        const result = stream.append(ms, sub, raw.data, raw.start[i]!, raw.end[i]!, raw.metadata[i], windowMs);
        if (result === 'stored') stored += 1;
        else if (result === 'duplicate') duplicates += 1;
        else {
          const cutoff = joinNs(stream.highestMs - windowMs, stream.highestSub);
          reason = `entry too far behind, entry timestamp is: ${formatRfc3339(joinNs(ms, sub))}, oldest acceptable timestamp is: ${formatRfc3339(cutoff)}`;
          lastWasRateLimit = false;
        }
      }
      if (reason !== undefined) {
        failures += 1;
        if (failed.length < o.maxReturnedErrors) {
          failed.push(`entry with timestamp ${formatGoTime(joinNs(ms, sub))} ignored, reason: '${reason}',`);
        }
      }
    }
    if (failures === 0) return { stored, duplicates, error: undefined, status: 204 };
    failed.push(`user '${tenant}', total ignored: ${failures} out of ${good.length} for stream: ${s.key}`);
    // Loki answers 429 when the last refused entry of the stream hit the rate limit, else 400.
    return { stored, duplicates, error: failed.join('\n'), status: lastWasRateLimit ? 429 : 400 };
  }
}
