import type { DropReason, LokiMetrics } from './types.js';

/** Request-duration buckets, in seconds (Prometheus' defaults trimmed to what a push takes). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
export const DROP_REASONS: readonly DropReason[] = [
  'queue_full',
  'rejected',
  'retries_exhausted',
  'too_long',
  'closed',
];

function byReason(): Record<DropReason, number> {
  return { queue_full: 0, rejected: 0, retries_exhausted: 0, too_long: 0, closed: 0 };
}

/** The mutable counters behind `client.metrics()`. */
export class Counters {
  sentLines = 0;
  sentBytes = 0;
  wireBytes = 0;
  droppedLines = byReason();
  droppedBytes = byReason();
  truncatedLines = 0;
  relabelledLines = 0;
  requests = 0;
  retries = 0;
  splits = 0;
  spoolErrors = 0;
  /** Why the last attempt to push failed, or null. */
  lastError: string | null = null;
  latencyCount = 0;
  latencySumMs = 0;
  latencyMaxMs = 0;
  latencyBuckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);

  drop(reason: DropReason, lines: number, bytes: number): void {
    this.droppedLines[reason] += lines;
    this.droppedBytes[reason] += bytes;
  }

  observe(ms: number): void {
    this.latencyCount++;
    this.latencySumMs += ms;
    if (ms > this.latencyMaxMs) this.latencyMaxMs = ms;
    const s = ms / 1000;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (s <= LATENCY_BUCKETS[i]!) this.latencyBuckets[i]!++;
  }

  snapshot(
    gauges: Pick<
      LokiMetrics,
      'queueBytes' | 'queueBatches' | 'queueLines' | 'pendingLines' | 'spoolBytes' | 'spoolBatches'
    >,
  ): LokiMetrics {
    return {
      sentLines: this.sentLines,
      sentBytes: this.sentBytes,
      wireBytes: this.wireBytes,
      droppedLines: { ...this.droppedLines },
      droppedBytes: { ...this.droppedBytes },
      truncatedLines: this.truncatedLines,
      relabelledLines: this.relabelledLines,
      requests: this.requests,
      retries: this.retries,
      splits: this.splits,
      spoolErrors: this.spoolErrors,
      lastError: this.lastError,
      latency: {
        count: this.latencyCount,
        sumMs: this.latencySumMs,
        maxMs: this.latencyMaxMs,
        buckets: LATENCY_BUCKETS.map((le, i) => ({ le, count: this.latencyBuckets[i]! })),
      },
      ...gauges,
    };
  }
}
