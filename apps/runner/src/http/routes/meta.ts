import { toPrometheus } from '@pactown/loki-transport';
import type { FastifyInstance } from 'fastify';
import type { RunnerContext } from '../../app/context.js';
import { redactUrls } from '../../logging/urls.js';

function block(name: string, type: 'gauge' | 'counter', help: string, samples: Array<[Record<string, string>, number]>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const text = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
    lines.push(`${name}${text ? `{${text}}` : ''} ${value}`);
  }
  return lines.join('\n');
}

/** The runner's gauges and counters in Prometheus text format (0.0.4). */
export function runnerMetrics(ctx: RunnerContext): string {
  const counts = ctx.registry.counts();
  const handlerErrors = ctx.logging.handlers.map((h): [Record<string, string>, number] => [{ handler: redactUrls(h.name).replace(/["\\\n]/g, '_') }, h.errors]);
  const usage = process.cpuUsage();
  return [
    block('pactown_runner_services', 'gauge', 'Services known to the runner, by status.', Object.entries(counts).map(([status, n]) => [{ status }, n])),
    block('pactown_runner_runs_total', 'counter', 'Runs by outcome.', [
      [{ result: 'success' }, ctx.runs.success],
      [{ result: 'failure' }, ctx.runs.failure],
      [{ result: 'denied' }, ctx.runs.denied],
    ]),
    block('pactown_runner_service_deaths_total', 'counter', 'Services that died after a successful start.', [[{}, ctx.runs.died]]),
    block('pactown_runner_sse_clients', 'gauge', 'Open log streams.', [[{}, ctx.sseClients]]),
    block('pactown_runner_live_lines_total', 'counter', 'Live lines published to log streams.', [[{}, ctx.hub.publishedLines]]),
    block('pactown_runner_accepting_runs', 'gauge', '1 while new runs are accepted, 0 during shutdown.', [[{}, ctx.accepting ? 1 : 0]]),
    block('pactown_runner_log_handler_errors_total', 'counter', 'Records a log handler failed to write.', handlerErrors),
    block('pactown_runner_console_dropped_lines_total', 'counter', 'Console lines dropped because stdout was not read fast enough.', [[{}, ctx.logging.console?.dropped ?? 0]]),
    block('process_cpu_seconds_total', 'counter', 'User and system CPU time.', [[{}, (usage.user + usage.system) / 1e6]]),
    block('process_resident_memory_bytes', 'gauge', 'Resident memory size.', [[{}, process.memoryUsage.rss()]]),
  ].join('\n');
}

export function metaRoutes(app: FastifyInstance, ctx: RunnerContext): void {
  app.get('/health', async (_request, reply) => {
    const body = {
      status: ctx.accepting ? 'ok' : 'shutting_down',
      services: ctx.registry.counts().running,
      loki: ctx.logging.lokiUrl ? 'on' : 'off',
    };
    return reply.code(ctx.accepting ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_request, reply) => {
    let text = `${runnerMetrics(ctx)}\n`;
    if (ctx.logging.loki) text += toPrometheus(ctx.logging.loki.metrics());
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text.endsWith('\n') ? text : `${text}\n`);
  });
}
