import fs from 'node:fs/promises';
import { errorFilePath, readErrorFile, renderMarkdown } from '@pactown/error-files';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RunnerContext } from '../../app/context.js';
import { isActive, serviceView } from '../../services/registry.js';
import { canAccess } from '../auth.js';
import { validateId, validateStopBody } from '../validate.js';

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

/**
 * Resolves `:id` to a service the caller may see, or answers 400/404. A
 * service of another user is reported as unknown (and logged as an anomaly).
 */
export function findService(ctx: RunnerContext, request: FastifyRequest, reply: FastifyReply, id: unknown, allowUnknown = false) {
  const valid = validateId('service_id', id);
  if (!valid.ok) {
    void reply.code(400).send({ success: false, error: 'invalid_request', field: valid.field, message: valid.message });
    return null;
  }
  const entry = ctx.registry.get(valid.value);
  const caller = request.caller;
  if (entry && !canAccess(caller, entry.userId)) {
    ctx.policy.report('UNAUTHORIZED_ACCESS', 'WARNING', caller.userId, valid.value, `${request.method} ${request.routeOptions.url} on a service of another user`);
  } else if (entry || (allowUnknown && !caller.authenticated)) {
    return { id: valid.value, entry };
  }
  void reply.code(404).send({ success: false, error: 'not_found', message: `unknown service: ${valid.value}` });
  return null;
}

/**
 * Like `findService`, for the error file: answers 404 unless the newest file
 * on disk was written for the current owner's runs of the id. An id deleted or
 * forgotten and then run by someone else keeps the old file on disk (history
 * for the operator), but the new owner never gets it.
 */
function findErrorFile(ctx: RunnerContext, request: FastifyRequest, reply: FastifyReply, id: unknown) {
  const found = findService(ctx, request, reply, id, true);
  if (!found) return null;
  if (found.entry && !found.entry.hasErrorFile) {
    void reply.code(404).send({ success: false, error: 'not_found', message: `no error file for ${found.id}` });
    return null;
  }
  return found;
}

export function serviceRoutes(app: FastifyInstance, ctx: RunnerContext): void {
  app.get('/services', async (request) => {
    const caller = request.caller;
    const entries = ctx.registry.list(caller.authenticated ? caller.userId : undefined);
    return { services: entries.map(serviceView) };
  });

  app.get('/services/:id', async (request: IdRequest, reply) => {
    const found = findService(ctx, request, reply, request.params.id);
    if (found) return serviceView(found.entry!);
    return reply;
  });

  app.post('/stop', async (request, reply) => {
    const body = validateStopBody(request.body);
    if (!body.ok) return reply.code(400).send({ success: false, error: 'invalid_request', field: body.field, message: body.message });
    const found = findService(ctx, request, reply, body.value.serviceId);
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

  app.delete('/services/:id', async (request: IdRequest, reply) => {
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

  app.get('/services/:id/error-log', async (request: FastifyRequest<{ Params: { id: string }; Querystring: { format?: string } }>, reply) => {
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

  app.get('/services/:id/error-report', async (request: IdRequest, reply) => {
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
}
