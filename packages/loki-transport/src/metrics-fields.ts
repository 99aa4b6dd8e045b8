import type { LokiMetrics } from './types.js';

/** The counters as flat fields for one log record on `pactown.loki`. */
export function metricsFields(m: LokiMetrics): Record<string, unknown> {
  const dropped = Object.values(m.droppedLines).reduce((a, b) => a + b, 0);
  return {
    sentLines: m.sentLines,
    sentBytes: m.sentBytes,
    droppedLines: dropped,
    dropped: m.droppedLines,
    retries: m.retries,
    requests: m.requests,
    latencyAvgMs: m.latency.count === 0 ? 0 : Math.round((m.latency.sumMs / m.latency.count) * 10) / 10,
    latencyMaxMs: Math.round(m.latency.maxMs),
    queueBytes: m.queueBytes,
    queueLines: m.queueLines,
    spoolBytes: m.spoolBytes,
  };
}
