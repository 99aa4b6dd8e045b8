import { parseLevel } from '@pactown/log-core';
import type { FastifyRequest } from 'fastify';
import type { HubEvent, LiveLine } from '../../services/live-hub.js';
import { findService } from '../find-service.js';
import type { RoutesPlugin } from '../plugin.js';
import { wireLine } from '../records.js';
import { idParamsSchema, logsQuerySchema } from '../schemas.js';
import { SseConnection } from '../sse-connection.js';

const HEARTBEAT_MS = 15_000;

type LogsRequest = FastifyRequest<{ Params: { id: string }; Querystring: { level?: string } }>;

/**
 * `GET /services/:id/logs`: Server-Sent Events. The retained tail first
 * (after `Last-Event-ID` when the client resumes), a `ready` event, then
 * every new line as it arrives, and `status` events when the service changes.
 * Each connection's buffer is bounded (oldest lines dropped, `event: gap`),
 * and so is the number of connections, per user and in all (`429`).
 */
export const logRoutes: RoutesPlugin = async (app, { ctx }) => {
  app.get(
    '/services/:id/logs',
    { schema: { params: idParamsSchema, querystring: logsQuerySchema } },
    async (request: LogsRequest, reply) => {
      const found = findService(ctx, request, reply, request.params.id);
      if (!found) return reply;
      let threshold: number;
      try {
        threshold = parseLevel(request.query.level ?? ctx.config.uiLogLevel);
      } catch {
        return reply.code(400).send({
          success: false,
          error: 'invalid_request',
          field: 'level',
          message: 'level must be a level name such as DEBUG or INFO',
        });
      }
      // In open mode everybody is "anonymous": the limit per user then applies per client address.
      const who = request.caller.authenticated ? request.caller.userId : `anonymous@${request.ip}`;
      const mine = ctx.sse.byUser.get(who) ?? 0;
      if (ctx.sseClients >= ctx.config.sseMaxTotal || mine >= ctx.config.sseMaxPerUser) {
        const total = ctx.sseClients >= ctx.config.sseMaxTotal;
        const message = total
          ? `too many open log streams (${ctx.config.sseMaxTotal}); try again later`
          : `too many open log streams for this user (${ctx.config.sseMaxPerUser}); close one first`;
        return reply.code(429).header('retry-after', '5').send({ success: false, error: 'too_many_streams', message });
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
      ctx.sse.byUser.set(who, mine + 1);
      const connection = new SseConnection(raw, ctx.config.sseBufferBytes, (lines) =>
        ctx.drops.add(
          'sse_slow_client',
          lines,
          `a log stream client did not read; each keeps at most ${ctx.config.sseBufferBytes} bytes unsent (PACTOWN_SSE_BUFFER_BYTES) and is told the count with an event: gap`,
        ),
      );
      ctx.sse.connections.add(connection);

      let open = true;
      const finish = () => {
        if (!open) return;
        open = false;
        ctx.sseClients--;
        const left = (ctx.sse.byUser.get(who) ?? 1) - 1;
        if (left > 0) ctx.sse.byUser.set(who, left);
        else ctx.sse.byUser.delete(who);
        ctx.sse.connections.delete(connection);
        clearInterval(heartbeat);
        subscription.unsubscribe();
        raw.end();
      };
      const send = (event: string, data: unknown, id?: number) => {
        if (open) connection.send(event, data, id);
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
      if (subscription.missed > 0) {
        // Resumed too late: the lines between Last-Event-ID and the oldest one kept are gone, and the client is told so.
        ctx.drops.add(
          'sse_resume_gap',
          subscription.missed,
          `a log stream resumed (Last-Event-ID) after lines its service's history no longer holds; each service keeps ${ctx.config.sseHistoryLines} lines or ${ctx.config.sseHistoryBytes} bytes (PACTOWN_SSE_HISTORY_LINES, PACTOWN_SSE_HISTORY_BYTES) and the client gets an event: gap`,
        );
        send('gap', {
          dropped: subscription.missed,
          reason: 'history',
          message: `${subscription.missed} lines after event ${afterSeq} are no longer in this service's history`,
        });
      }
      let replayed = 0;
      for (const line of subscription.history) if (sendLine(line)) replayed++;
      send('ready', {
        service_id: found.id,
        status: ctx.registry.get(found.id)?.status ?? 'unknown',
        history: replayed,
      });
      const heartbeat = setInterval(() => open && connection.comment('ping'), HEARTBEAT_MS);
      heartbeat.unref();
      raw.on('close', finish);
      request.raw.on('close', finish);
    },
  );
};
