import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceiverCore } from '../core.js';
import { LokiHttpError } from '../errors.js';
import { LOKI_VERSION } from '../options.js';
import { readQueryRequest, sendJson, timeParam } from './respond.js';

// Loki 3.7.6's index, volume, detection and status endpoints
// (docs/sources/reference/loki-http-api.md). index/stats, index/volume,
// volume_range and detected_labels are computed from what the receiver holds;
// detected_fields reads logfmt and JSON lines; patterns is an honest empty
// answer in Loki's shape (the receiver runs no pattern ingester).

const NS_PER_MS = 1_000_000n;
const HOUR_NS = 3_600_000n * NS_PER_MS;

function range(core: ReceiverCore, params: URLSearchParams, span = HOUR_NS): { start: bigint; end: bigint } {
  const end = timeParam(params, 'end', BigInt(Math.trunc(core.opts.now())) * NS_PER_MS);
  return { start: timeParam(params, 'start', end - span), end };
}

function requiredQuery(params: URLSearchParams): string {
  const query = params.get('query');
  if (!query) throw new LokiHttpError(400, 'parse error : syntax error: unexpected $end, expecting {');
  return query;
}

/** GET /loki/api/v1/status/buildinfo */
export function handleBuildInfo(_core: ReceiverCore, _req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, {
    version: LOKI_VERSION,
    revision: '',
    branch: '',
    buildUser: '@pactown/loki-receiver',
    buildDate: '',
    goVersion: '',
  });
}

/** GET|POST /loki/api/v1/index/stats: `{streams, chunks, entries, bytes}`; a stream held in memory counts as one chunk. */
export async function handleIndexStats(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const { start, end } = range(core, params);
  const s = core.indexStats(tenant, requiredQuery(params), start, end);
  sendJson(res, 200, { streams: s.streams, chunks: s.streams, entries: s.entries, bytes: s.bytes });
}

/** GET|POST /loki/api/v1/index/volume and volume_range: bytes per label set named in the selector. */
export async function handleVolume(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  ranged: boolean,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const { start, end } = range(core, params);
  const limit = Number(params.get('limit') ?? 100);
  const targets = params
    .get('targetLabels')
    ?.split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  const byLabels = params.get('aggregateBy') === 'labels';
  const stepRaw = params.get('step');
  const stepNs = stepRaw ? (parseStep(stepRaw) ?? badStep(stepRaw)) : end - start > 0n ? (end - start) / 10n || 1n : 1n;
  const volumes = core.volume(tenant, requiredQuery(params), start, end, {
    targets,
    byLabels,
    stepNs: ranged ? stepNs : undefined,
  });
  const top = volumes.sort((a, b) => b.bytes - a.bytes).slice(0, Number.isInteger(limit) && limit > 0 ? limit : 100);
  const seconds = (ns: bigint) => Number(ns / NS_PER_MS) / 1000;
  const result = ranged
    ? top.map((v) => ({ metric: v.metric, values: v.buckets!.map(([at, bytes]) => [seconds(at), String(bytes)]) }))
    : top.map((v) => ({ metric: v.metric, value: [seconds(end), String(v.bytes)] }));
  sendJson(res, 200, { status: 'success', data: { resultType: ranged ? 'matrix' : 'vector', result } });
}

function parseStep(raw: string): bigint | undefined {
  if (/^\d+(\.\d+)?$/.test(raw)) return BigInt(Math.round(Number(raw) * 1e9));
  const m = /^(\d+)(ms|s|m|h|d|w|y)$/.exec(raw);
  if (!m) return undefined;
  const unit = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 604800e9, y: 31536000e9 }[m[2] as 'ms'];
  return BigInt(Number(m[1]) * unit);
}

function badStep(raw: string): never {
  throw new LokiHttpError(400, `invalid step parameter: cannot parse ${JSON.stringify(raw)} to a valid duration`);
}

/** GET /loki/api/v1/detected_labels: stream labels of matching streams with their cardinality. */
export async function handleDetectedLabels(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const { start, end } = range(core, params, 6n * HOUR_NS);
  const query = params.get('query') || '{__name__=~".+"}';
  const labels = core.detectedLabels(tenant, params.get('query') ? query : undefined, start, end);
  sendJson(res, 200, { detectedLabels: labels });
}

/** GET|POST /loki/api/v1/detected_fields: fields of logfmt and JSON lines and structured metadata. */
export async function handleDetectedFields(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { params, tenant } = await readQueryRequest(core, req, url);
  const { start, end } = range(core, params);
  const lineLimit = Number(params.get('line_limit') ?? 1000);
  const limit = Number(params.get('limit') ?? params.get('field_limit') ?? 1000);
  const fields = core.detectedFields(
    tenant,
    requiredQuery(params),
    start,
    end,
    Number.isInteger(lineLimit) && lineLimit > 0 ? lineLimit : 1000,
  );
  sendJson(res, 200, { fields: fields.slice(0, limit), limit });
}

/** GET /loki/api/v1/patterns: Loki's shape, no patterns (no pattern ingester here). */
export async function handlePatterns(
  core: ReceiverCore,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const { params } = await readQueryRequest(core, req, url);
  core.checkSelector(requiredQuery(params));
  sendJson(res, 200, { status: 'success', data: [] });
}
