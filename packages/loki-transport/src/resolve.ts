import type { LokiMetrics, LokiOptions } from './types.js';

/**
 * Fills in `formatter` for `format: 'pattern'` by loading log-core's
 * `patternFormatter` (an optional peer, so it is loaded only when asked for).
 */
export async function withPatternFormatter(options: LokiOptions): Promise<LokiOptions> {
  if (options?.format !== 'pattern' || options.formatter !== undefined) return options;
  let core: { patternFormatter: (pattern?: string) => (record: any) => string };
  try {
    core = (await import('@pactown/log-core')) as unknown as typeof core;
  } catch (err) {
    throw new TypeError(`[@pactown/loki-transport] option "format" is 'pattern', which needs @pactown/log-core installed (${(err as Error).message})`);
  }
  return { ...options, formatter: core.patternFormatter(options.pattern) };
}

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
