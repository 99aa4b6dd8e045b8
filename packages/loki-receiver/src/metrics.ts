import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The receiver's `/metrics`, under the names Loki itself exports for the
 * same facts (pkg/distributor, pkg/validation, pkg/ingester), from
 * prom-client on a registry of its own (nothing global).
 */
export class ReceiverMetrics {
  readonly registry = new Registry();
  readonly linesReceived = new Counter({
    name: 'loki_distributor_lines_received_total',
    help: 'The total number of lines received.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  readonly bytesReceived = new Counter({
    name: 'loki_distributor_bytes_received_total',
    help: 'The total number of uncompressed bytes received (lines and structured metadata).',
    labelNames: ['tenant'],
    registers: [this.registry],
  });
  readonly discardedSamples = new Counter({
    name: 'loki_discarded_samples_total',
    help: 'The total number of samples that were discarded.',
    labelNames: ['reason', 'tenant'],
    registers: [this.registry],
  });
  readonly discardedBytes = new Counter({
    name: 'loki_discarded_bytes_total',
    help: 'The total number of bytes that were discarded.',
    labelNames: ['reason', 'tenant'],
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'loki_request_total',
    help: 'Requests answered, by route and status code.',
    labelNames: ['route', 'status_code'],
    registers: [this.registry],
  });
  readonly streams = new Gauge({
    name: 'loki_ingester_memory_streams',
    help: 'The total number of streams in memory.',
    labelNames: ['tenant'],
    registers: [this.registry],
  });

  reset(): void {
    this.registry.resetMetrics();
  }
}
