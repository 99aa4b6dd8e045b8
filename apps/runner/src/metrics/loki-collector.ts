import type { LokiClient, LokiMetrics } from '@pactown/loki-transport';
import type { Registry } from 'prom-client';

type Sample = { labels?: Record<string, string | number>; value: number; metricName?: string };
type Kind = 'counter' | 'gauge' | 'histogram';

/**
 * A metric read from a snapshot at scrape time: prom-client formats it, the
 * value comes from the client that owns it (prom-client's collector idea,
 * for a source that keeps its own counters).
 */
class SnapshotMetric {
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: Kind,
    readonly read: () => Sample[],
  ) {}

  get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.read() };
  }

  reset(): void {}
}

const REASONS = (m: LokiMetrics) => Object.keys(m.droppedLines) as Array<keyof LokiMetrics['droppedLines']>;

/** Registers the Loki client's counters (`pactown_loki_*`) on `registry`, read at every scrape. */
export function registerLokiMetrics(registry: Registry, client: LokiClient, prefix = 'pactown_loki'): void {
  // One snapshot per scrape: every metric of the scrape reads the same numbers.
  let taken = 0;
  let snapshot: LokiMetrics | null = null;
  const now = () => {
    const t = Date.now();
    if (snapshot === null || t - taken > 50) {
      snapshot = client.metrics();
      taken = t;
    }
    return snapshot;
  };
  const one = (name: string, type: Kind, help: string, pick: (m: LokiMetrics) => number) =>
    new SnapshotMetric(`${prefix}_${name}`, help, type, () => [{ value: pick(now()) }]);
  const byReason = (name: string, help: string, pick: (m: LokiMetrics) => Record<string, number>) =>
    new SnapshotMetric(`${prefix}_${name}`, help, 'counter', () => {
      const m = now();
      return REASONS(m).map((reason) => ({ labels: { reason }, value: pick(m)[reason] ?? 0 }));
    });
  const metrics = [
    one('sent_lines_total', 'counter', 'Lines Loki accepted.', (m) => m.sentLines),
    one('sent_bytes_total', 'counter', 'UTF-8 bytes of the lines Loki accepted.', (m) => m.sentBytes),
    one('wire_bytes_total', 'counter', 'Push body bytes Loki accepted.', (m) => m.wireBytes),
    byReason('dropped_lines_total', 'Lines dropped, by reason.', (m) => m.droppedLines),
    byReason('dropped_bytes_total', 'Line bytes dropped, by reason.', (m) => m.droppedBytes),
    one('truncated_lines_total', 'counter', 'Lines cut to the maximum line size.', (m) => m.truncatedLines),
    one(
      'relabelled_lines_total',
      'counter',
      'Lines whose label values held characters Loki refuses, replaced by ?.',
      (m) => m.relabelledLines,
    ),
    one('requests_total', 'counter', 'Push requests made, retries included.', (m) => m.requests),
    one(
      'retries_total',
      'counter',
      'Push requests repeated after a 429, 5xx, timeout or connection error.',
      (m) => m.retries,
    ),
    one('splits_total', 'counter', 'Batches split after a 413 answer.', (m) => m.splits),
    new SnapshotMetric(`${prefix}_request_duration_seconds`, 'Push request duration.', 'histogram', () => {
      const lat = now().latency;
      const name = `${prefix}_request_duration_seconds`;
      return [
        ...lat.buckets.map((b) => ({ metricName: `${name}_bucket`, labels: { le: b.le }, value: b.count })),
        { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: lat.count },
        { metricName: `${name}_sum`, value: lat.sumMs / 1000 },
        { metricName: `${name}_count`, value: lat.count },
      ];
    }),
    one('queue_bytes', 'gauge', 'Encoded bytes waiting in the send queue.', (m) => m.queueBytes),
    one('queue_batches', 'gauge', 'Batches waiting in the send queue.', (m) => m.queueBatches),
    one('queue_lines', 'gauge', 'Lines waiting in the send queue.', (m) => m.queueLines),
    one('pending_lines', 'gauge', 'Lines in the batch being built.', (m) => m.pendingLines),
    one('spool_bytes', 'gauge', 'Bytes in the spool folder.', (m) => m.spoolBytes),
    one('spool_batches', 'gauge', 'Batches in the spool folder.', (m) => m.spoolBatches),
  ];
  // prom-client accepts any object with a name, a type and get(); its own classes are one kind of it.
  for (const metric of metrics) registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
}
