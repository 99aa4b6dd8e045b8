import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { ReceiverCore } from '../core.js';
import { handleInstantQuery, handleLabels, handlePush, handleQueryRange, handleSeries } from './loki-routes.js';
import { readBody, sendError, sendText } from './respond.js';
import { type Lifecycle, TEST_PREFIX, handleTestRoute } from './test-routes.js';

const PUSH_PATH = '/loki/api/v1/push';
const LABEL_VALUES = /^\/loki\/api\/v1\/label\/([^/]+)\/values$/;

async function route(core: ReceiverCore, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const readable = method === 'GET' || method === 'POST';
  if (path === PUSH_PATH) {
    if (method !== 'POST') return sendText(res, 405, 'Method Not Allowed');
    return handlePush(core, req, res);
  }
  if (path === '/ready') return sendText(res, 200, 'ready');
  if (readable && path === '/loki/api/v1/query_range') return handleQueryRange(core, req, res, url);
  if (readable && path === '/loki/api/v1/query') return handleInstantQuery(core, req, res, url);
  if (readable && path === '/loki/api/v1/labels') return handleLabels(core, req, res, url);
  if (readable && path === '/loki/api/v1/series') return handleSeries(core, req, res, url);
  const values = LABEL_VALUES.exec(path);
  if (readable && values) return handleLabels(core, req, res, url, decodeURIComponent(values[1]!));
  sendText(res, 404, '404 page not found');
}

/** The request listener: test hooks, injected latency and failures, then Loki's routes. */
export function createHandler(core: ReceiverCore, life: Lifecycle) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    core.requests += 1;
    const url = new URL(req.url ?? '/', 'http://receiver.invalid');
    const isPush = url.pathname === PUSH_PATH;
    try {
      if (core.opts.testEndpoints && url.pathname.startsWith(TEST_PREFIX)) {
        await handleTestRoute(core, life, req, res, url);
        return;
      }
      const wait = core.faults.delayFor(isPush);
      if (wait > 0) await delay(wait);
      const failure = core.faults.take(isPush);
      if (failure) {
        // Read the body first so the connection stays usable for the client's retry.
        const size = await readBody(req, core.opts.maxBodyBytes).then((b) => b.length, () => 0);
        if (isPush) core.countPush(String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(), size);
        const headers: Record<string, string> = failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) };
        sendText(res, failure.status, failure.body, headers);
      } else {
        await route(core, req, res, url);
      }
    } catch (error) {
      sendError(res, error);
    } finally {
      if (isPush) core.countStatus(res.statusCode);
    }
  };
}
