import { DROP_REASONS } from './metrics.js';
import type { LokiMetrics } from './types.js';

/** Options of `toPrometheus`. */
export interface PrometheusOptions {
  /** Metric name prefix. @default 'pactown_loki' */
  prefix?: string;
  /** Labels added to every sample, e.g. `{ instance: 'runner-1' }`. @default {} */
  labels?: Record<string, string>;
}

function escapeValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(base: Record<string, string>, extra: Record<string, string> = {}): string {
  const all = { ...base, ...extra };
  const keys = Object.keys(all);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k.replace(/[^a-zA-Z0-9_]/g, '_')}="${escapeValue(all[k]!)}"`).join(',')}}`;
}

/**
 * The counters in Prometheus' text exposition format (version 0.0.4), for an
 * app's `/metrics` endpoint.
 */
export function toPrometheus(metrics: LokiMetrics, options: PrometheusOptions = {}): string {
  const p = options.prefix ?? 'pactown_loki';
  const base = options.labels ?? {};
  const out: string[] = [];
  const metric = (
    name: string,
    type: 'counter' | 'gauge' | 'histogram',
    help: string,
    samples: Array<[string, Record<string, string>, number]>,
  ) => {
    out.push(`# HELP ${p}_${name} ${help}`, `# TYPE ${p}_${name} ${type}`);
    for (const [suffix, labels, value] of samples) out.push(`${p}_${name}${suffix}${labelText(base, labels)} ${value}`);
  };
  metric('sent_lines_total', 'counter', 'Lines Loki accepted.', [['', {}, metrics.sentLines]]);
  metric('sent_bytes_total', 'counter', 'UTF-8 bytes of the lines Loki accepted.', [['', {}, metrics.sentBytes]]);
  metric('wire_bytes_total', 'counter', 'Push body bytes Loki accepted.', [['', {}, metrics.wireBytes]]);
  metric(
    'dropped_lines_total',
    'counter',
    'Lines dropped, by reason.',
    DROP_REASONS.map((r) => ['', { reason: r }, metrics.droppedLines[r]]),
  );
  metric(
    'dropped_bytes_total',
    'counter',
    'Line bytes dropped, by reason.',
    DROP_REASONS.map((r) => ['', { reason: r }, metrics.droppedBytes[r]]),
  );
  metric('truncated_lines_total', 'counter', 'Lines cut to the maximum line size.', [['', {}, metrics.truncatedLines]]);
  metric('requests_total', 'counter', 'Push requests made, retries included.', [['', {}, metrics.requests]]);
  metric('retries_total', 'counter', 'Push requests repeated after a 429, 5xx, timeout or connection error.', [
    ['', {}, metrics.retries],
  ]);
  metric('splits_total', 'counter', 'Batches split after a 413 answer.', [['', {}, metrics.splits]]);
  const lat = metrics.latency;
  metric('request_duration_seconds', 'histogram', 'Push request duration.', [
    ...lat.buckets.map((b): [string, Record<string, string>, number] => ['_bucket', { le: String(b.le) }, b.count]),
    ['_bucket', { le: '+Inf' }, lat.count],
    ['_sum', {}, lat.sumMs / 1000],
    ['_count', {}, lat.count],
  ]);
  metric('queue_bytes', 'gauge', 'Encoded bytes waiting in the send queue.', [['', {}, metrics.queueBytes]]);
  metric('queue_batches', 'gauge', 'Batches waiting in the send queue.', [['', {}, metrics.queueBatches]]);
  metric('queue_lines', 'gauge', 'Lines waiting in the send queue.', [['', {}, metrics.queueLines]]);
  metric('pending_lines', 'gauge', 'Lines in the batch being built.', [['', {}, metrics.pendingLines]]);
  metric('spool_bytes', 'gauge', 'Bytes in the spool folder.', [['', {}, metrics.spoolBytes]]);
  metric('spool_batches', 'gauge', 'Batches in the spool folder.', [['', {}, metrics.spoolBatches]]);
  metric(
    'spool_errors_total',
    'counter',
    'Spool folders that could not be opened and batches that could not be written to the spool.',
    [['', {}, metrics.spoolErrors]],
  );
  return `${out.join('\n')}\n`;
}
