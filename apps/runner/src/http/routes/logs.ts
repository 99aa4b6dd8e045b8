import { parseLevel } from '@pactown/log-core';
import type { FastifyRequest } from 'fastify';
import type { HubEvent, LiveLine } from '../../services/live-hub.js';
import { findService } from '../find-service.js';
import type { RoutesPlugin } from '../plugin.js';
import { wireLine } from '../records.js';
import { idParamsSchema, logsQuerySchema } from '../schemas.js';

const HEARTBEAT_MS = 15_000;
/** A client this far behind is cut off (it can reconnect and resume with Last-Event-ID). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

type LogsRequest = FastifyRequest<{ Params: { id: string }; Querystring: { level?: string } }>;

/**
 * `GET /services/:id/logs`: Server-Sent Events. The retained tail first
 * (after `Last-Event-ID` when the client resumes), a `ready` event, then
 * every new line as it arrives, and `status` events when the service changes.
 */
export const logRoutes: RoutesPlugin = async (app, { ctx }) => {
  app.get('/services/:id/logs', { schema: { params: idParamsSchema, querystring: logsQuerySchema } }, async (request: LogsRequest, reply) => {
    const found = findService(ctx, request, reply, request.params.id);
    if (!found) return reply;
    let threshold: number;
    try {
      threshold = parseLevel(request.query.level ?? ctx.config.uiLogLevel);
    } catch {
      return reply.code(400).send({ success: false, error: 'invalid_request', field: 'level', message: 'level must be a level name such as DEBUG or INFO' });
    }
    const lastId = Number(request.headers['last-event-id'] ?? 0);
    const afterSeq = Number.isInteger(lastId) && lastId > 0 ? lastId : 0;

    const raw = reply.raw;
    reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 2000\n\n');
    ctx.sseClients++;

    let open = true;
    const finish = () => {
      if (!open) return;
      open = false;
      ctx.sseClients--;
      clearInterval(heartbeat);
      subscription.unsubscribe();
      raw.end();
    };
    const send = (event: string, data: unknown, id?: number) => {
      if (!open) return;
      raw.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (raw.writableLength > MAX_BUFFERED_BYTES) {
        raw.write(`event: overflow\ndata: ${JSON.stringify({ message: 'client too slow; reconnect to resume' })}\n\n`);
        finish();
      }
    };
    const sendLine = (line: LiveLine): boolean => {
      if (line.level < threshold) return false;
      send('log', wireLine(line), line.seq);
      return true;
    };
    const onEvent = (event: HubEvent) => {
      if (event.type === 'log') sendLine(event.line);
      else if (event.status === 'server_shutdown') {
        send('status', { status: 'server_shutdown' });
        finish();
      } else if (event.status === 'forgotten') {
        // Deleted or past retention: the id may be someone else's next.
        send('status', { service_id: event.serviceId, status: 'forgotten', message: null });
        finish();
      } else send('status', { service_id: event.serviceId, status: event.status, message: event.message ?? null });
    };
    const subscription = ctx.hub.subscribe(found.id, onEvent, afterSeq);
    let replayed = 0;
    for (const line of subscription.history) if (sendLine(line)) replayed++;
    send('ready', { service_id: found.id, status: ctx.registry.get(found.id)?.status ?? 'unknown', history: replayed });
    const heartbeat = setInterval(() => open && raw.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    raw.on('close', finish);
    request.raw.on('close', finish);
  });
};
