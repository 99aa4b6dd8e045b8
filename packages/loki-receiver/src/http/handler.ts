import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { ReceiverCore } from '../core.js';
import { handleInstantQuery, handleLabels, handlePush, handleQueryRange, handleSeries } from './loki-routes.js';
import {
  handleBuildInfo,
  handleDetectedFields,
  handleDetectedLabels,
  handleIndexStats,
  handlePatterns,
  handleVolume,
} from './index-routes.js';
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
  if (method === 'GET' && path === '/metrics') {
    const text = await core.metrics.registry.metrics();
    return sendText(res, 200, text, { 'content-type': core.metrics.registry.contentType });
  }
  if (method === 'GET' && path === '/loki/api/v1/status/buildinfo') return handleBuildInfo(core, req, res);
  if (readable && path === '/loki/api/v1/index/stats') return handleIndexStats(core, req, res, url);
  if (readable && path === '/loki/api/v1/index/volume') return handleVolume(core, req, res, url, false);
  if (readable && path === '/loki/api/v1/index/volume_range') return handleVolume(core, req, res, url, true);
  if (readable && path === '/loki/api/v1/detected_labels') return handleDetectedLabels(core, req, res, url);
  if (readable && path === '/loki/api/v1/detected_fields') return handleDetectedFields(core, req, res, url);
  if (readable && path === '/loki/api/v1/patterns') return handlePatterns(core, req, res, url);
  if (readable && path === '/loki/api/v1/query_range') return handleQueryRange(core, req, res, url);
  if (readable && path === '/loki/api/v1/query') return handleInstantQuery(core, req, res, url);
  if (readable && path === '/loki/api/v1/labels') return handleLabels(core, req, res, url);
  if (readable && path === '/loki/api/v1/series') return handleSeries(core, req, res, url);
  const values = LABEL_VALUES.exec(path);
  if (readable && values) return handleLabels(core, req, res, url, decodeURIComponent(values[1]!));
  sendText(res, 404, '404 page not found');
}

/** Loki's route label: the path with slashes as underscores (`loki_api_v1_push`). */
function routeName(path: string): string {
  if (path.startsWith('/loki/api/v1/label/')) return 'loki_api_v1_label_name_values';
  return path.replace(/^\//, '').replace(/[^a-zA-Z0-9]+/g, '_') || 'root';
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
        const size = await readBody(req, core.opts.maxBodyBytes).then(
          (b) => b.length,
          () => 0,
        );
        if (isPush)
          core.countPush(
            String(req.headers['content-type'] ?? '')
              .split(';')[0]!
              .trim()
              .toLowerCase(),
            size,
          );
        const headers: Record<string, string> =
          failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) };
        sendText(res, failure.status, failure.body, headers);
      } else {
        await route(core, req, res, url);
      }
    } catch (error) {
      sendError(res, error);
    } finally {
      if (isPush) core.countStatus(res.statusCode);
      core.metrics.requests.inc({ route: routeName(url.pathname), status_code: String(res.statusCode) });
    }
  };
}
