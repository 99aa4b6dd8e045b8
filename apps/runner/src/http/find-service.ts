import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunnerContext } from '../app/context.js';
import type { ServiceEntry } from '../services/registry.js';
import { canAccess } from './auth.js';

export interface Found {
  id: string;
  entry: ServiceEntry | undefined;
}

/**
 * Resolves a (schema-checked) id to a service the caller may see, or answers
 * 404. A service of another user is reported as unknown (and logged as an
 * anomaly).
 */
export function findService(
  ctx: RunnerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
  allowUnknown = false,
): Found | null {
  const entry = ctx.registry.get(id);
  const caller = request.caller;
  if (entry && !canAccess(caller, entry.userId)) {
    ctx.policy.report(
      'UNAUTHORIZED_ACCESS',
      'WARNING',
      caller.userId,
      id,
      `${request.method} ${request.routeOptions.url} on a service of another user`,
    );
  } else if (entry || (allowUnknown && !caller.authenticated)) {
    return { id, entry };
  }
  void reply.code(404).send({ success: false, error: 'not_found', message: `unknown service: ${id}` });
  return null;
}

/**
 * Like `findService`, for the error file: answers 404 unless the newest file
 * on disk was written for the current owner's runs of the id. An id deleted or
 * forgotten and then run by someone else keeps the old file on disk (history
 * for the operator), but the new owner never gets it.
 */
export function findErrorFile(
  ctx: RunnerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  id: string,
): Found | null {
  const found = findService(ctx, request, reply, id, true);
  if (!found) return null;
  if (found.entry && !found.entry.hasErrorFile) {
    void reply.code(404).send({ success: false, error: 'not_found', message: `no error file for ${found.id}` });
    return null;
  }
  return found;
}
