import type { RoutesPlugin } from '../plugin.js';

/** `GET /health` and `GET /metrics` (Prometheus text from prom-client). */
export const metaRoutes: RoutesPlugin = async (app, { ctx }) => {
  app.get('/health', async (_request, reply) => {
    const body = {
      status: ctx.accepting ? 'ok' : 'shutting_down',
      services: ctx.registry.counts().running,
      loki: ctx.logging.lokiUrl ? 'on' : 'off',
    };
    return reply.code(ctx.accepting ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_request, reply) => {
    const text = await ctx.metrics.metrics();
    return reply.type(ctx.metrics.contentType).send(text);
  });
};
