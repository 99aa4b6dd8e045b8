import type { ServiceLogRecord } from '@pactown/sandbox';
import { parseLevel } from '@pactown/log-core';
import type { FastifyRequest } from 'fastify';
import { performRun } from '../../services/run-service.js';
import type { RoutesPlugin } from '../plugin.js';
import { wireLine } from '../records.js';
import { type RunBody, runBodySchema, toRunRequest } from '../schemas.js';

type RunHttpRequest = FastifyRequest<{ Body: RunBody }>;

/** `POST /run` (one JSON answer) and `POST /run/stream` (NDJSON lines, then the result). */
export const runRoutes: RoutesPlugin = async (app, { ctx }) => {
  app.post('/run', { schema: { body: runBodySchema } }, async (request: RunHttpRequest, reply) => {
    const answer = await performRun(ctx, toRunRequest(request.body), request.caller);
    return reply
      .code(answer.status)
      .headers(answer.headers ?? {})
      .send(answer.body);
  });

  app.post('/run/stream', { schema: { body: runBodySchema } }, async (request: RunHttpRequest, reply) => {
    const threshold = parseLevel(ctx.config.uiLogLevel);
    const raw = reply.raw;
    reply.hijack();
    let started = false;
    const start = (status: number, headers: Record<string, string> = {}) => {
      if (started) return;
      started = true;
      raw.writeHead(status, {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'cache-control': 'no-cache',
        ...headers,
      });
    };
    const onLog = (record: ServiceLogRecord) => {
      if (record.level < threshold || raw.destroyed) return;
      start(200);
      raw.write(`${JSON.stringify({ type: 'log', ...wireLine(record) })}\n`);
    };
    try {
      const answer = await performRun(ctx, toRunRequest(request.body), request.caller, onLog);
      start(answer.status, answer.headers);
      raw.end(`${JSON.stringify({ type: 'result', result: answer.body })}\n`);
    } catch (error) {
      request.log.error({ err: error }, 'run/stream failed');
      start(500);
      raw.end(`${JSON.stringify({ type: 'result', result: { success: false, message: 'internal error' } })}\n`);
    }
  });
};
