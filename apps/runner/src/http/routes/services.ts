import { parseErrorFile, renderMarkdown } from '@pactown/error-files';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { readErrorFileText } from '../error-file.js';
import { isActive, serviceView } from '../../services/registry.js';
import { findErrorFile, findService } from '../find-service.js';
import type { RoutesPlugin } from '../plugin.js';
import { errorLogQuerySchema, idParamsSchema, stopBodySchema } from '../schemas.js';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/** `GET /services`, `GET|DELETE /services/:id`, `POST /stop`, the error file as text, JSON and Markdown. */
export const serviceRoutes: RoutesPlugin = async (app, { ctx }) => {
  app.get('/services', async (request) => {
    const caller = request.caller;
    const entries = ctx.registry.list(caller.authenticated ? caller.userId : undefined);
    return { services: entries.map(serviceView) };
  });

  app.get('/services/:id', { schema: { params: idParamsSchema } }, async (request: IdRequest, reply) => {
    const found = findService(ctx, request, reply, request.params.id);
    if (found) return serviceView(found.entry!);
    return reply;
  });

  app.post(
    '/stop',
    { schema: { body: stopBodySchema } },
    async (request: FastifyRequest<{ Body: { service_id: string } }>, reply) => {
      const found = findService(ctx, request, reply, request.body.service_id);
      if (!found) return reply;
      const { id, entry } = found;
      if (!isActive(entry)) {
        return { success: true, service_id: id, message: `Service ${id} is not running (${entry!.status})`, logs: [] };
      }
      const log = ctx.logging.root.child({ user: entry!.userId, service: id });
      log.info(`Stop requested | user=${request.caller.userId} service=${id}`);
      ctx.registry.update(id, { status: 'stopping' });
      const stopped = await ctx.runner.stop(id);
      ctx.registry.update(id, { status: 'stopped', message: stopped.message });
      ctx.hub.status(id, 'stopped');
      return { success: true, service_id: id, message: stopped.message, exit: stopped.report?.exit.message ?? null };
    },
  );

  app.delete('/services/:id', { schema: { params: idParamsSchema } }, async (request: IdRequest, reply) => {
    const found = findService(ctx, request, reply, request.params.id);
    if (!found) return reply;
    const { id, entry } = found;
    if (isActive(entry)) {
      return reply
        .code(409)
        .send({ success: false, service_id: id, message: `Service ${id} is ${entry!.status}; stop it first` });
    }
    ctx.registry.remove(id);
    ctx.hub.drop(id);
    ctx.logging.root
      .child({ user: entry!.userId, service: id })
      .info(`Service deleted | user=${entry!.userId} service=${id}`);
    return { success: true, service_id: id, message: `Service ${id} deleted` };
  });

  // The three forms of the error file read it the same way and answer alike: a missing file, a
  // symlink or anything else in its place is 404 (and a symlink or odd file is logged once per request).
  const errorFile = async (request: FastifyRequest, reply: FastifyReply, id: string) => {
    const found = findErrorFile(ctx, request, reply, id);
    if (!found) return null;
    const read = await readErrorFileText(ctx.config.logDir, found.id);
    if (read.ok) return { id: found.id, text: read.text };
    if (read.why !== 'missing') {
      ctx.logging.root
        .child({ service: found.id })
        .warn(`The error file of ${found.id} is not a regular file (${read.why}); not served`);
    }
    void reply.code(404).send({ success: false, error: 'not_found', message: `no error file for ${found.id}` });
    return null;
  };

  app.get(
    '/services/:id/error-log',
    { schema: { params: idParamsSchema, querystring: errorLogQuerySchema } },
    async (request: FastifyRequest<{ Params: { id: string }; Querystring: { format?: 'text' | 'json' } }>, reply) => {
      const file = await errorFile(request, reply, request.params.id);
      if (!file) return reply;
      if (request.query.format === 'json') return parseErrorFile(file.text);
      return reply.type('text/plain; charset=utf-8').send(file.text);
    },
  );

  app.get('/services/:id/error-report', { schema: { params: idParamsSchema } }, async (request: IdRequest, reply) => {
    const file = await errorFile(request, reply, request.params.id);
    if (!file) return reply;
    return reply.type('text/markdown; charset=utf-8').send(renderMarkdown(parseErrorFile(file.text)));
  });
};
