import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceiverCore } from '../core.js';
import { LokiHttpError } from '../errors.js';
import { decodePushBody } from '../push/body.js';
import { isMetricQuery, parseMetricQuery, promDuration } from '../logql/metric.js';
import { type MetricAnswer, checkResolution, defaultStep, evaluateInstant, evaluateRange } from '../metric-query.js';
import { queryStats } from '../query-stats.js';
import { mediaType, readBody, readQueryRequest, sendJson, sendText, timeParam } from './respond.js';

const NS_PER_MS = 1_000_000n;
const HOUR_NS = 3_600_000n * NS_PER_MS;

/** POST /loki/api/v1/push */
export async function handlePush(core: ReceiverCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const contentType = mediaType(req.headers['content-type']);
  const max = core.opts.maxBodyBytes;
  const declared = Number(req.headers['content-length']);
  if (max > 0 && Number.isFinite(declared) && declared > max && contentType !== 'application/json') {
    // ParseProtoReaderWithLimits refuses a declared size over the limit before reading.
    req.resume();
    core.countPush(contentType, declared);
    throw new LokiHttpError(413, `request body too large: message size too large than max (${declared} vs ${max})`);
  }
  const body = await readBody(req, max);
  core.countPush(contentType, body.length);
  const tenant = core.tenantOf(req.headers['x-scope-orgid']);
  const decoded = decodePushBody(body, req.headers['content-type'], req.headers['content-encoding'], core.opts);
  const result = core.ingester.push(tenant, decoded.streams);
  core.acceptedLines += result.accepted;
  core.countReceived(tenant, result.accepted, result.acceptedBytes);
  core.rejectedLines += result.rejected;
  sendText(res, result.status, result.message);
}

/** `step`: a Prometheus duration or float seconds. */
function stepParam(raw: string | null): bigint | undefined {
  if (raw === null || raw === '') return undefined;
  const ns = /^\d+(\.\d+)?$/.test(raw) ? BigInt(Math.round(Number(raw) * 1e9)) : promDuration(raw);
  if (ns === undefined || ns <= 0n)
    throw new LokiHttpError(400, `invalid step parameter: cannot parse ${JSON.stringify(raw)} to a valid duration`);
  return ns;
}

/** Loki's X-Loki-Response-Encoding-Flags header: comma-separated flags. */
function encodingFlags(req: IncomingMessage): string[] {
  const raw = req.headers['x-loki-response-encoding-flags'];
  const text = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return text
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

function durationParam(raw: string): bigint | undefined {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w)$/.exec(raw);
  if (!m) return undefined;
  const unit = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 604800e9 }[m[2]!]!;
  return BigInt(Math.round(Number(m[1]) * unit));
}

/** start/end like Loki: end defaults to now, start to `since` (or 1 h) before end. */
function rangeParams(core: ReceiverCore, params: URLSearchParams, defaultSpan: bigint): { start: bigint; end: bigint } {
  const end = timeParam(params, 'end', BigInt(Math.trunc(core.opts.now())) * NS_PER_MS);
  const sinceRaw = params.get('since');
  const since = sinceRaw ? durationParam(sinceRaw) : defaultSpan;
  if (since === undefined) throw new LokiHttpError(400, `invalid since parameter: ${JSON.stringify(sinceRaw)}`);
  const start = timeParam(params, 'start', end - since);
  if (end < start) throw new LokiHttpError(400, 'end timestamp must not be before or equal to start time');
  return { start, end };
}

function queryShape(core: ReceiverCore, params: URLSearchParams) {
  const limitRaw = params.get('limit');
  const limit = limitRaw === null || limitRaw === '' ? 100 : Number(limitRaw);
  if (!Number.isInteger(limit)) throw new LokiHttpError(400, `invalid limit parameter: ${JSON.stringify(limitRaw)}`);
  if (limit <= 0) throw new LokiHttpError(400, 'limit must be a positive value');
  const max = core.opts.maxEntriesLimitPerQuery;
  if (max > 0 && limit > max) {
    throw new LokiHttpError(
      400,
      `max entries limit per query exceeded, limit > max_entries_limit_per_query (${limit} > ${max})`,
    );
  }
  const dir = (params.get('direction') ?? 'backward').toLowerCase();
  if (dir !== 'forward' && dir !== 'backward')
    throw new LokiHttpError(400, `invalid direction: ${JSON.stringify(params.get('direction'))}`);
  const query = params.get('query');
  if (query === null || query.trim() === '')
    throw new LokiHttpError(400, 'parse error : syntax error: unexpected $end, expecting {');
  return { limit, direction: dir as 'forward' | 'backward', query };
}

/** A metric query's answer, with the stats of the lines it read. */
function sendMetricAnswer(res: ServerResponse, answer: MetricAnswer<unknown>): void {
  const stats = queryStats(answer.counters);
  sendJson(res, 200, { status: 'success', data: { resultType: answer.resultType, result: answer.result, stats } });
}

/** GET|POST /loki/api/v1/query_range */
export async function handleQueryRange(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const { limit, direction, query } = queryShape(core, params);
  const { start, end } = rangeParams(core, params, HOUR_NS);
  const step = stepParam(params.get('step')) ?? defaultStep(start, end);
  checkResolution(start, end, step);
  if (isMetricQuery(query)) {
    const node = parseMetricQuery(query);
    sendMetricAnswer(res, evaluateRange(core.store, tenant, node, start, end, step));
    return;
  }
  const categorizeLabels = encodingFlags(req).includes('categorize-labels');
  const data = core.query(query, tenant, { start, end, limit, direction, categorizeLabels });
  sendJson(
    res,
    200,
    { status: 'success', data },
    categorizeLabels ? { 'x-loki-response-encoding-flags': 'categorize-labels' } : {},
  );
}

/** GET|POST /loki/api/v1/query: Loki 3 answers log queries here with 400 (range queries only). */
export async function handleInstantQuery(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const { query } = queryShape(core, params);
  const time = timeParam(params, 'time', BigInt(Math.trunc(core.opts.now())) * NS_PER_MS);
  if (isMetricQuery(query)) {
    sendMetricAnswer(res, evaluateInstant(core.store, tenant, parseMetricQuery(query), time));
    return;
  }
  // Parse first so syntax errors read like Loki's; a valid log query is then refused as Loki 3 does.
  core.query(query, '', { start: 0n, end: 0n, limit: 1, direction: 'backward' });
  throw new LokiHttpError(
    400,
    'log queries are not supported as an instant query type, please change your query to a range query type',
  );
}

/** GET /loki/api/v1/labels and /loki/api/v1/label/<name>/values */
export async function handleLabels(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  name?: string,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const { start, end } = rangeParams(core, params, 6n * HOUR_NS);
  const data = core.labelIndex(tenant, start, end, params.get('query') || undefined, name);
  sendJson(res, 200, { status: 'success', data });
}

/** GET|POST /loki/api/v1/series */
export async function handleSeries(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const selectors = params.getAll('match[]').concat(params.getAll('match'));
  if (selectors.length === 0) throw new LokiHttpError(400, 'match[] parameter is required');
  const { start, end } = rangeParams(core, params, 6n * HOUR_NS);
  sendJson(res, 200, { status: 'success', data: core.series(tenant, start, end, selectors) });
}

export { sendText };
