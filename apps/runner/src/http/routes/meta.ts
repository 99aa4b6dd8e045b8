import type { Handler } from '@pactown/log-core';
import type { RunnerContext } from '../../app/context.js';
import { redactUrls } from '../../logging/urls.js';
import type { RoutesPlugin } from '../plugin.js';

/** The Loki client's drops by reason, as `loki_<reason>` (none while shipping is off). */
function lokiDrops(ctx: RunnerContext): Record<string, number> {
  const m = ctx.logging.loki?.metrics();
  return m ? Object.fromEntries(Object.entries(m.droppedLines).map(([r, n]) => [`loki_${r}`, n])) : {};
}

/** One handler as /health shows it: its errors, and `degraded` where log-core reports it. */
function handlerHealth(h: Handler): { name: string; errors: number; degraded?: boolean } {
  const state = h as Handler & { degraded?: unknown };
  return {
    name: redactUrls(h.name),
    errors: h.errors,
    ...(typeof state.degraded === 'boolean' ? { degraded: state.degraded } : {}),
  };
}

/** `GET /health` and `GET /metrics` (Prometheus text from prom-client). */
export const metaRoutes: RoutesPlugin = async (app, { ctx }) => {
  app.get('/health', async (_request, reply) => {
    const degraded = ctx.logging.handlers.some((h) => (h as { degraded?: unknown }).degraded === true);
    const body = {
      status: ctx.accepting ? (degraded ? 'degraded' : 'ok') : 'shutting_down',
      services: ctx.registry.counts().running,
      loki: ctx.logging.lokiUrl ? 'on' : 'off',
      dropped: { ...ctx.drops.snapshot(), ...lokiDrops(ctx) },
      handlers: ctx.logging.handlers.map((h) => handlerHealth(h)),
    };
    return reply.code(ctx.accepting ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await ctx.metrics.metrics();
    return reply.type(ctx.metrics.contentType).send(text);
  });
};
