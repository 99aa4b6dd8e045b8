import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunnerContext } from '../app/context.js';
import { handlerHealth } from '../logging/health.js';
import { redactUrls } from '../logging/urls.js';
import { registerLokiMetrics } from './loki-collector.js';

/**
 * The app's `/metrics`: prom-client's process metrics (`process_*`,
 * `nodejs_*`), the runner's own gauges and counters, read from the app's state
 * at every scrape, and the Loki client's counters. One registry per app: no
 * global state.
 */
export function createMetrics(ctx: RunnerContext): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  new Gauge({
    name: 'pactown_runner_services',
    help: 'Services known to the runner, by status.',
    labelNames: ['status'],
    registers,
    collect() {
      for (const [status, n] of Object.entries(ctx.registry.counts())) this.set({ status }, n);
    },
  });
  new Counter({
    name: 'pactown_runner_runs_total',
    help: 'Runs by outcome.',
    labelNames: ['result'],
    registers,
    collect() {
      this.reset();
      for (const result of ['success', 'failure', 'denied'] as const) this.inc({ result }, ctx.runs[result]);
    },
  });
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  counter('pactown_runner_service_deaths_total', 'Services that died after a successful start.', () => ctx.runs.died);
  counter(
    'pactown_runner_service_restarts_total',
    'Restarts after a death (restart policy on-failure or always).',
    () => ctx.runs.restarted,
  );
  counter(
    'pactown_runner_service_gave_up_total',
    'Services given up on after too many deaths (the start limit).',
    () => ctx.runs.gaveUp,
  );
  gauge('pactown_runner_sse_clients', 'Open log streams.', () => ctx.sseClients);
  gauge(
    'pactown_runner_sse_queued_bytes',
    "Bytes waiting in the log streams' own queues (each bounded by PACTOWN_SSE_BUFFER_BYTES).",
    () => {
      let total = 0;
      for (const c of ctx.sse.connections) total += c.queuedBytes;
      return total;
    },
  );
  counter('pactown_runner_live_lines_total', 'Live lines published to log streams.', () => ctx.hub.publishedLines);
  gauge('pactown_runner_accepting_runs', '1 while new runs are accepted, 0 during shutdown.', () =>
    ctx.accepting ? 1 : 0,
  );
  new Counter({
    name: 'pactown_runner_log_handler_errors_total',
    help: 'Records a log handler failed to write.',
    labelNames: ['handler'],
    registers,
    collect() {
      this.reset();
      // A handler's name may hold a URL: shown without credentials, query or fragment.
      for (const h of ctx.logging.handlers) this.inc({ handler: redactUrls(h.name) }, h.errors);
    },
  });
  new Counter({
    name: 'pactown_runner_dropped_lines_total',
    help: 'Lines the app left out, by reason (answer_bound, sse_slow_client, auth_failure_rate, console_backpressure).',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, n] of Object.entries(ctx.drops.snapshot())) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'pactown_runner_log_handler_degraded',
    help: '1 while a log handler fails to write (log-core retries it on its own), else 0.',
    labelNames: ['handler'],
    registers,
    collect() {
      this.reset();
      for (const h of ctx.logging.handlers) {
        const health = handlerHealth(h);
        this.set({ handler: health.name }, health.state === 'degraded' ? 1 : 0);
      }
    },
  });
  counter(
    'pactown_runner_console_dropped_lines_total',
    'Console lines dropped because stdout was not read fast enough.',
    () => ctx.logging.console?.dropped ?? 0,
  );
  if (ctx.logging.loki) registerLokiMetrics(registry, ctx.logging.loki);
  return registry;
}
