import { LokiHttpError } from './errors.js';
import { Faults } from './faults.js';
import { FieldCollector, lineFields } from './detected-fields.js';
import { Ingester } from './ingest.js';
import { type LogQuery, parseLogQuery } from './logql/parser.js';
import { ReceiverMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { type QueryRange, runQuery } from './query.js';
import { Store, type StreamData } from './store.js';
import { joinNs, nsString, splitNs } from './timestamp.js';
import type { Labels, LokiQueryData, ReceivedEntry, ReceiverStats, TrafficCounter } from './types.js';

function hasLinesIn(stream: StreamData, start: bigint, end: bigint): boolean {
  const [sMs, sSub] = splitNs(start);
  const [eMs, eSub] = splitNs(end);
  return stream.bound(sMs, sSub) < stream.bound(eMs, eSub);
}

const NO_METADATA: Labels = Object.freeze({});

/** Tenant used when multi-tenancy is off, as in Loki. */
export const SINGLE_TENANT = 'fake';

/** Everything the receiver holds, independent of the HTTP server carrying it. */
export class ReceiverCore {
  readonly store = new Store();
  readonly faults = new Faults();
  readonly ingester: Ingester;
  push: Record<string, TrafficCounter> = {};
  pushStatus: Record<string, number> = {};
  requests = 0;
  acceptedLines = 0;
  rejectedLines = 0;

  readonly metrics = new ReceiverMetrics();

  constructor(readonly opts: ResolvedOptions) {
    this.ingester = new Ingester(opts, this.store);
    this.ingester.onDiscard = (tenant, reason, lines, bytes) => {
      this.metrics.discardedSamples.inc({ reason, tenant }, lines);
      this.metrics.discardedBytes.inc({ reason, tenant }, bytes);
    };
  }

  /** Parses a stream selector (answers Loki's 400 when it is not one). */
  checkSelector(selector: string): LogQuery {
    return parseLogQuery(selector);
  }

  #matching(tenant: string, selector: string | undefined, start: bigint, end: bigint): StreamData[] {
    const query = selector ? parseLogQuery(selector) : undefined;
    const out: StreamData[] = [];
    for (const stream of this.store.streams(tenant)) {
      if (query && !query.matchers.every((m) => m.matches(stream.labels[m.name] ?? ''))) continue;
      if (hasLinesIn(stream, start, end)) out.push(stream);
    }
    return out;
  }

  /** Line indexes of a stream in [start, end). */
  #span(stream: StreamData, start: bigint, end: bigint): [number, number] {
    const [sMs, sSub] = splitNs(start);
    const [eMs, eSub] = splitNs(end);
    return [stream.bound(sMs, sSub), stream.bound(eMs, eSub)];
  }

  #entryBytes(stream: StreamData, i: number): number {
    let n = stream.lineLength(i);
    const meta = stream.metadata[i];
    if (meta) for (const k in meta) n += Buffer.byteLength(k) + Buffer.byteLength(meta[k]!);
    return n;
  }

  indexStats(
    tenant: string,
    selector: string,
    start: bigint,
    end: bigint,
  ): { streams: number; entries: number; bytes: number } {
    let streams = 0;
    let entries = 0;
    let bytes = 0;
    for (const stream of this.#matching(tenant, selector, start, end)) {
      const [from, to] = this.#span(stream, start, end);
      streams += 1;
      entries += to - from;
      for (let i = from; i < to; i++) bytes += this.#entryBytes(stream, i);
    }
    return { streams, entries, bytes };
  }

  /** Bytes per label set: the labels named in the selector (or `targets`), or per label name with `byLabels`. */
  volume(
    tenant: string,
    selector: string,
    start: bigint,
    end: bigint,
    how: { targets?: string[]; byLabels: boolean; stepNs?: bigint },
  ) {
    const query = parseLogQuery(selector);
    const names = how.targets && how.targets.length > 0 ? how.targets : [...new Set(query.matchers.map((m) => m.name))];
    const groups = new Map<string, { metric: Labels; bytes: number; buckets?: Map<bigint, number> }>();
    const add = (metric: Labels, bytes: number, at: bigint) => {
      const key = JSON.stringify(metric);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { metric, bytes: 0, buckets: how.stepNs ? new Map() : undefined }));
      g.bytes += bytes;
      if (g.buckets && how.stepNs) {
        const bucket = start + ((at - start) / how.stepNs) * how.stepNs + how.stepNs;
        g.buckets.set(bucket, (g.buckets.get(bucket) ?? 0) + bytes);
      }
    };
    for (const stream of this.#matching(tenant, selector, start, end)) {
      const [from, to] = this.#span(stream, start, end);
      const present = names.filter((n) => n in stream.labels);
      for (let i = from; i < to; i++) {
        const bytes = this.#entryBytes(stream, i);
        const at = joinNs(stream.ms[i]!, stream.sub[i]!);
        if (how.byLabels) for (const n of present) add({ [n]: '' }, bytes, at);
        else add(Object.fromEntries(present.map((n) => [n, stream.labels[n]!])), bytes, at);
      }
    }
    return [...groups.values()].map((g) => ({
      metric: g.metric,
      bytes: g.bytes,
      buckets: g.buckets ? [...g.buckets].sort((a, b) => (a[0] < b[0] ? -1 : 1)) : undefined,
    }));
  }

  detectedLabels(
    tenant: string,
    selector: string | undefined,
    start: bigint,
    end: bigint,
  ): Array<{ label: string; cardinality: number }> {
    const values = new Map<string, Set<string>>();
    for (const stream of this.#matching(tenant, selector, start, end)) {
      for (const [name, value] of Object.entries(stream.labels)) {
        let set = values.get(name);
        if (!set) values.set(name, (set = new Set()));
        set.add(value);
      }
    }
    return [...values].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, set]) => ({ label, cardinality: set.size }));
  }

  detectedFields(tenant: string, selector: string, start: bigint, end: bigint, lineLimit: number) {
    const fields = new FieldCollector();
    let seen = 0;
    for (const stream of this.#matching(tenant, selector, start, end)) {
      const [from, to] = this.#span(stream, start, end);
      for (let i = to - 1; i >= from && seen < lineLimit; i--, seen++) {
        for (const [name, value, parser, path] of lineFields(stream.line(i))) fields.add(name, value, parser, path);
        const meta = stream.metadata[i];
        if (meta) for (const k in meta) fields.add(k, meta[k]!, null);
      }
    }
    return fields.result();
  }

  /** The tenant of a request: X-Scope-OrgID with multi-tenancy on (401 without), else `fake`. */
  tenantOf(header: string | string[] | undefined): string {
    if (!this.opts.multiTenant) return SINGLE_TENANT;
    const value = Array.isArray(header) ? header[0] : header;
    if (!value || value.trim() === '') throw new LokiHttpError(401, 'no org id');
    return value.trim();
  }

  countPush(contentType: string, bytes: number): void {
    const key = contentType || '(none)';
    const c = (this.push[key] ??= { requests: 0, bytes: 0 });
    c.requests += 1;
    c.bytes += bytes;
  }

  countStatus(status: number): void {
    this.pushStatus[status] = (this.pushStatus[status] ?? 0) + 1;
  }

  query(logql: string, tenant: string, range: QueryRange): LokiQueryData {
    return runQuery(this.store, tenant, parseLogQuery(logql), range);
  }

  /** Label names (or one label's values) of streams with lines in [start, end), optionally narrowed by a selector. */
  labelIndex(tenant: string, start: bigint, end: bigint, selector: string | undefined, name?: string): string[] {
    const query = selector ? parseLogQuery(selector) : undefined;
    const out = new Set<string>();
    for (const stream of this.store.streams(tenant)) {
      if (query && !query.matchers.every((m) => m.matches(stream.labels[m.name] ?? ''))) continue;
      if (!hasLinesIn(stream, start, end)) continue;
      if (name === undefined) for (const n of Object.keys(stream.labels)) out.add(n);
      else if (name in stream.labels) out.add(stream.labels[name]!);
    }
    return [...out].sort();
  }

  /** Label sets of streams matching any of the selectors with lines in [start, end). */
  series(tenant: string, start: bigint, end: bigint, selectors: string[]): Labels[] {
    const queries = selectors.map((s) => parseLogQuery(s));
    const out: Labels[] = [];
    for (const stream of this.store.streams(tenant)) {
      if (!queries.some((q) => q.matchers.every((m) => m.matches(stream.labels[m.name] ?? '')))) continue;
      if (!hasLinesIn(stream, start, end)) continue;
      out.push({ ...stream.labels });
    }
    return out;
  }

  entries(tenant?: string): ReceivedEntry[] {
    const out: ReceivedEntry[] = [];
    for (const t of tenant === undefined ? this.store.tenants() : [tenant]) {
      for (const s of this.store.streams(t)) {
        // One frozen label object per stream: a snapshot of 500,000 lines should not copy it 500,000 times.
        const labels = Object.freeze({ ...s.labels });
        for (let i = 0; i < s.size; i++) {
          const meta = s.metadata[i];
          out.push({
            tenant: t,
            labels,
            stream: s.key,
            timestamp: nsString(s.ms[i]!, s.sub[i]!),
            timestampNs: joinNs(s.ms[i]!, s.sub[i]!),
            line: s.line(i),
            structuredMetadata: meta ? Object.freeze({ ...meta }) : NO_METADATA,
          });
        }
      }
    }
    return out;
  }

  stats(): ReceiverStats {
    const copy = (o: Record<string, TrafficCounter>) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { ...v }]));
    return {
      push: copy(this.push),
      pushStatus: { ...this.pushStatus },
      requests: this.requests,
      acceptedLines: this.acceptedLines,
      rejectedLines: this.rejectedLines,
      entries: this.store.entryCount,
      streams: this.store.streamCount,
    };
  }

  /** Counts a push's stored lines in the Loki metrics. */
  countReceived(tenant: string, lines: number, bytes: number): void {
    if (lines === 0) return;
    this.metrics.linesReceived.inc({ tenant }, lines);
    this.metrics.bytesReceived.inc({ tenant }, bytes);
    this.metrics.streams.set({ tenant }, this.store.countStreams(tenant));
  }

  reset(): void {
    this.metrics.reset();
    this.store.clear();
    this.faults.reset();
    this.ingester.limiter.reset();
    this.ingester.streamLimiter.reset();
    this.push = {};
    this.pushStatus = {};
    this.requests = 0;
    this.acceptedLines = 0;
    this.rejectedLines = 0;
  }
}
