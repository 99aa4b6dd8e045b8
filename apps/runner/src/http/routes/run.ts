import type { ServiceLogRecord } from '@pactown/sandbox';
import { parseLevel } from '@pactown/log-core';
import type { FastifyInstance } from 'fastify';
import type { RunnerContext } from '../../app/context.js';
import { performRun } from '../../services/run-service.js';
import { wireLine } from '../records.js';
import { validateRunBody } from '../validate.js';

/** `POST /run` (one JSON answer) and `POST /run/stream` (NDJSON lines, then the result). */
export function runRoutes(app: FastifyInstance, ctx: RunnerContext): void {
  app.post('/run', async (request, reply) => {
    const body = validateRunBody(request.body);
    if (!body.ok) return reply.code(400).send({ success: false, error: 'invalid_request', field: body.field, message: body.message });
    const answer = await performRun(ctx, body.value, request.caller);
    return reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
  });

  app.post('/run/stream', async (request, reply) => {
    const body = validateRunBody(request.body);
    if (!body.ok) return reply.code(400).send({ success: false, error: 'invalid_request', field: body.field, message: body.message });
    const threshold = parseLevel(ctx.config.uiLogLevel);
    const raw = reply.raw;
    reply.hijack();
    let started = false;
    const start = (status: number, headers: Record<string, string> = {}) => {
      if (started) return;
      started = true;
      raw.writeHead(status, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-cache', ...headers });
    };
    const onLog = (record: ServiceLogRecord) => {
      if (record.level < threshold || raw.destroyed) return;
      start(200);
      raw.write(`${JSON.stringify({ type: 'log', ...wireLine(record) })}\n`);
    };
    try {
      const answer = await performRun(ctx, body.value, request.caller, onLog);
      start(answer.status, answer.headers);
      raw.end(`${JSON.stringify({ type: 'result', result: answer.body })}\n`);
    } catch (error) {
      request.log.error({ err: error }, 'run/stream failed');
      start(500);
      raw.end(`${JSON.stringify({ type: 'result', result: { success: false, message: 'internal error' } })}\n`);
    }
  });
}
