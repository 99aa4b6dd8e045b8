import fs from 'node:fs/promises';
import { errorFilePath, readErrorFile, renderMarkdown } from '@pactown/error-files';
import type { FastifyRequest } from 'fastify';
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

  app.post('/stop', { schema: { body: stopBodySchema } }, async (request: FastifyRequest<{ Body: { service_id: string } }>, reply) => {
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
  });

  app.delete('/services/:id', { schema: { params: idParamsSchema } }, async (request: IdRequest, reply) => {
    const found = findService(ctx, request, reply, request.params.id);
    if (!found) return reply;
    const { id, entry } = found;
    if (isActive(entry)) {
      return reply.code(409).send({ success: false, service_id: id, message: `Service ${id} is ${entry!.status}; stop it first` });
    }
    ctx.registry.remove(id);
    ctx.hub.drop(id);
    ctx.logging.root.child({ user: entry!.userId, service: id }).info(`Service deleted | user=${entry!.userId} service=${id}`);
    return { success: true, service_id: id, message: `Service ${id} deleted` };
  });

  app.get('/services/:id/error-log', { schema: { params: idParamsSchema, querystring: errorLogQuerySchema } }, async (request: FastifyRequest<{ Params: { id: string }; Querystring: { format?: 'text' | 'json' } }>, reply) => {
    const found = findErrorFile(ctx, request, reply, request.params.id);
    if (!found) return reply;
    const path = errorFilePath(ctx.config.logDir, found.id);
    try {
      if (request.query.format === 'json') return await readErrorFile(ctx.config.logDir, found.id);
      const text = await fs.readFile(path, 'utf8');
      return reply.type('text/plain; charset=utf-8').send(text);
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') {
        return reply.code(404).send({ success: false, error: 'not_found', message: `no error file for ${found.id}` });
      }
      throw error;
    }
  });

  app.get('/services/:id/error-report', { schema: { params: idParamsSchema } }, async (request: IdRequest, reply) => {
    const found = findErrorFile(ctx, request, reply, request.params.id);
    if (!found) return reply;
    try {
      const report = await readErrorFile(ctx.config.logDir, found.id);
      return reply.type('text/markdown; charset=utf-8').send(renderMarkdown(report));
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') {
        return reply.code(404).send({ success: false, error: 'not_found', message: `no error file for ${found.id}` });
      }
      throw error;
    }
  });
};
