import { LokiHttpError } from './errors.js';
import { Faults } from './faults.js';
import { Ingester } from './ingest.js';
import { parseLogQuery } from './logql/parser.js';
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

  constructor(readonly opts: ResolvedOptions) {
    this.ingester = new Ingester(opts, this.store);
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
    const copy = (o: Record<string, TrafficCounter>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { ...v }]));
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

  reset(): void {
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
