import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceiverCore } from '../core.js';
import { LokiHttpError } from '../errors.js';
import type { DownOptions } from '../types.js';
import { readBody, sendJson } from './respond.js';

/** Path prefix of the test-only endpoints; never part of Loki's API. */
export const TEST_PREFIX = '/__test__/';

/** What the test endpoints may do to the server's life. */
export interface Lifecycle {
  down(options?: DownOptions): Promise<void>;
  up(): Promise<void>;
  waitForEntries(count: number, timeoutMs?: number): Promise<void>;
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req, 1024 * 1024);
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the 400 below
  }
  throw new LokiHttpError(400, 'test endpoint body must be a JSON object');
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof TypeError) throw new LokiHttpError(400, error.message);
    throw error;
  }
}

/**
 * Test hooks over HTTP, for tests in other processes or languages:
 * POST fail-next {count, status, retryAfter?, body?, scope?}, POST latency {ms, scope?},
 * POST down {forMs, mode?} (comes back by itself), POST reset, GET stats, GET entries?tenant=,
 * GET wait-for-entries?count=N&timeoutMs=T (answers 200 once N lines are held, 408 after T ms,
 * 400 without count).
 */
export async function handleTestRoute(
  core: ReceiverCore,
  life: Lifecycle,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const action = url.pathname.slice(TEST_PREFIX.length);
  const method = req.method ?? 'GET';
  if (method === 'GET' && action === 'stats') return sendJson(res, 200, core.stats());
  if (method === 'GET' && action === 'entries') {
    const tenant = url.searchParams.get('tenant') ?? undefined;
    return sendJson(
      res,
      200,
      core.entries(tenant).map(({ timestampNs: _, ...rest }) => rest),
    );
  }
  if (method === 'GET' && action === 'wait-for-entries') {
    // Number('') is 0: a missing or blank count must not read as "zero lines" and answer at once.
    const countText = url.searchParams.get('count')?.trim() ?? '';
    const count = countText === '' ? Number.NaN : Number(countText);
    const timeoutMs = Number(url.searchParams.get('timeoutMs') ?? 30_000);
    if (!Number.isInteger(count) || count < 0 || !(timeoutMs >= 0)) {
      throw new LokiHttpError(400, 'wait-for-entries needs count=N (an integer >= 0) and an optional timeoutMs');
    }
    const reached = await life.waitForEntries(count, timeoutMs).then(
      () => true,
      () => false,
    );
    return sendJson(res, reached ? 200 : 408, { entries: core.store.entryCount, count });
  }
  if (method !== 'POST') throw new LokiHttpError(404, `unknown test endpoint ${method} ${url.pathname}`);
  const body = await jsonBody(req);
  switch (action) {
    case 'fail-next':
      guard(() =>
        core.faults.failNext(Number(body.count ?? 1), Number(body.status ?? 500), {
          retryAfter: body.retryAfter === undefined ? undefined : Number(body.retryAfter),
          body: body.body === undefined ? undefined : String(body.body),
          scope: (body.scope as 'push' | 'all' | undefined) ?? 'push',
        }),
      );
      return sendJson(res, 200, { pending: core.faults.pendingFailures });
    case 'latency':
      guard(() => core.faults.setLatency(Number(body.ms ?? 0), (body.scope as 'push' | 'all' | undefined) ?? 'push'));
      return sendJson(res, 200, { latencyMs: core.faults.latencyMs });
    case 'reset':
      core.reset();
      return sendJson(res, 200, { reset: true });
    case 'down': {
      const forMs = Number(body.forMs);
      if (!(Number.isFinite(forMs) && forMs >= 0))
        throw new LokiHttpError(400, 'down needs forMs (milliseconds >= 0): nothing could bring it back over HTTP');
      const mode = body.mode === 'reset' ? 'reset' : 'refuse';
      sendJson(res, 200, { downForMs: forMs, mode });
      res.once('finish', () => {
        void life.down({ mode }).then(() => setTimeout(() => void life.up(), forMs).unref());
      });
      return;
    }
    default:
      throw new LokiHttpError(404, `unknown test endpoint POST ${url.pathname}`);
  }
}
