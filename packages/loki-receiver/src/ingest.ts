import { LabelValidator } from './labels.js';
import type { ResolvedOptions } from './options.js';
import type { RawEntry, RawStream } from './proto.js';
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

function metadataSize(meta: Labels): [bytes: number, count: number] {
  let bytes = 0;
  let count = 0;
  for (const name in meta) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(meta[name]!);
    count += 1;
  }
  return [bytes, count];
}

interface Accepted {
  stream: { key: string; labels: Labels };
  entries: RawEntry[];
}

/** Loki's write path in one place: distributor validation, rate limit, then the ingester's stream rules. */
export class Ingester {
  readonly #labels: LabelValidator;
  readonly limiter: RateLimiter;

  constructor(
    readonly opts: ResolvedOptions,
    readonly store: Store,
  ) {
    this.#labels = new LabelValidator(opts);
    this.limiter = new RateLimiter(opts.ingestionRateBytes, opts.ingestionBurstBytes, opts.now);
  }

  /** Validates an entry; returns Loki's message when it is refused (and may truncate the line). */
  #checkEntry(entry: RawEntry, key: string, nowMs: number): string | undefined {
    const o = this.opts;
    if (o.rejectOldSamples) {
      const oldest = nowMs - o.rejectOldSamplesMaxAgeMs;
      if (entry.ms < oldest) {
        return `entry for stream '${key}' has timestamp too old: ${formatRfc3339(joinNs(entry.ms, entry.sub))}, oldest acceptable timestamp is: ${formatRfc3339(joinNs(oldest, 0))}`;
      }
    }
    const newest = nowMs + o.creationGracePeriodMs;
    if (entry.ms > newest || (entry.ms === newest && entry.sub > 0)) {
      return `entry for stream '${key}' has timestamp too new: ${formatRfc3339(joinNs(entry.ms, entry.sub))}`;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: count bytes only when that bound is over the limit.
    if (o.maxLineSize > 0 && entry.line.length * 3 > o.maxLineSize) {
      const size = Buffer.byteLength(entry.line);
      if (size > o.maxLineSize) {
        if (!o.maxLineSizeTruncate) {
          return `Max entry size '${o.maxLineSize}' bytes exceeded for stream '${key}' while adding an entry with length '${size}' bytes`;
        }
        entry.line = Buffer.from(entry.line).subarray(0, o.maxLineSize).toString('utf8').replace(/\uFFFD$/, '');
      }
    }
    if (entry.metadata) {
      if (!o.allowStructuredMetadata) {
        return `stream '${key}' includes structured metadata, but this feature is disallowed. Please see \`limits_config.allow_structured_metadata\` or contact your Loki administrator to enable it.`;
      }
      const [bytes, count] = metadataSize(entry.metadata);
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
    for (const raw of streams) {
      const labels = this.#labels.validate(raw.labelsText);
      if (typeof labels === 'string') {
        errors.push(labels);
        rejected += raw.entries.length;
        continue;
      }
      const good: RawEntry[] = [];
      for (const entry of raw.entries) {
        const why = this.#checkEntry(entry, labels.key, nowMs);
        if (why === undefined) {
          good.push(entry);
          validLines += 1;
          if (this.limiter.enabled) {
            validBytes += Buffer.byteLength(entry.line);
            if (entry.metadata) validBytes += metadataSize(entry.metadata)[0];
          }
        } else {
          errors.push(why);
          rejected += 1;
        }
      }
      if (good.length > 0) accepted.push({ stream: labels, entries: good });
    }
    if (validLines > 0 && !this.limiter.allow(tenant, validBytes)) {
      const message = `Ingestion rate limit exceeded for user ${tenant} (limit: ${Math.trunc(this.limiter.rate)} bytes/sec) while attempting to ingest '${validLines}' lines totaling '${validBytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`;
      return { status: 429, message, accepted: 0, rejected: rejected + validLines };
    }
    let status = errors.length > 0 ? 400 : 204;
    let stored = 0;
    for (const { stream, entries } of accepted) {
      const outcome = this.#store(tenant, stream, entries);
      stored += outcome.stored;
      rejected += entries.length - outcome.stored - outcome.duplicates;
      if (outcome.error) {
        errors.push(outcome.error);
        if (outcome.status === 429) status = 429;
        else if (status === 204) status = 400;
      }
    }
    this.store.added(stored);
    return { status, message: errors.join('\n'), accepted: stored, rejected };
  }

  #store(tenant: string, s: { key: string; labels: Labels }, entries: RawEntry[]) {
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
    for (const e of entries) {
      const result = stream.append(e.ms, e.sub, e.line, e.metadata, windowMs);
      if (result === 'stored') stored += 1;
      else if (result === 'duplicate') duplicates += 1;
      else {
        failures += 1;
        if (failed.length < o.maxReturnedErrors) {
          const ts = joinNs(e.ms, e.sub);
          const cutoff = joinNs(stream.highestMs - windowMs, stream.highestSub);
          failed.push(
            `entry with timestamp ${formatGoTime(ts)} ignored, reason: 'entry too far behind, entry timestamp is: ${formatRfc3339(ts)}, oldest acceptable timestamp is: ${formatRfc3339(cutoff)}',`,
          );
        }
      }
    }
    stream.seal();
    if (failures === 0) return { stored, duplicates, error: undefined, status: 204 };
    failed.push(`user '${tenant}', total ignored: ${failures} out of ${entries.length} for stream: ${s.key}`);
    return { stored, duplicates, error: failed.join('\n'), status: 400 };
  }
}
