import { parseTimeParam } from '../time-format.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReceiverCore } from '../core.js';
import { LokiHttpError } from '../errors.js';

/** Plain-text answer, as Go's http.Error writes Loki's errors (text, newline, nosniff). */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = status === 204 ? '' : text.endsWith('\n') || text === '' ? text : `${text}\n`;
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof LokiHttpError) sendText(res, error.status, error.message, error.headers);
  else sendText(res, 500, `internal error: ${(error as Error)?.message ?? String(error)}`);
}

/**
 * Reads a request body, keeping at most `limit + 1` bytes (as Loki's
 * LimitReader does, so the caller can tell "over the limit"); the rest is
 * read and dropped so the connection stays usable.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cap = limit > 0 ? limit + 1 : Number.POSITIVE_INFINITY;
    req.on('data', (chunk: Buffer) => {
      if (size >= cap) return;
      const room = cap - size;
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(piece);
      size += piece.length;
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** Media type without parameters, lower-cased: `application/json; charset=utf-8` -> `application/json`. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Query parameters from the URL, plus a form-encoded POST body (Loki accepts both). */
export async function readParams(req: IncomingMessage, url: URL, limit: number): Promise<URLSearchParams> {
  const params = new URLSearchParams(url.search);
  if (req.method === 'POST' && mediaType(req.headers['content-type']) === 'application/x-www-form-urlencoded') {
    const body = await readBody(req, limit);
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.append(k, v);
  }
  return params;
}

/** A read route's input: its parameters (query string or form body), then the tenant of `X-Scope-OrgID`. */
export async function readQueryRequest(
  core: ReceiverCore,
  req: IncomingMessage,
  url: URL,
): Promise<{ params: URLSearchParams; tenant: string }> {
  const params = await readParams(req, url, core.opts.maxBodyBytes);
  return { params, tenant: core.tenantOf(req.headers['x-scope-orgid']) };
}

/** A time parameter in any form Loki takes (ns, s with a fraction, RFC 3339), or `fallback` when absent; a 400 naming it otherwise. */
export function timeParam(params: URLSearchParams, name: string, fallback: bigint): bigint {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  const ns = parseTimeParam(raw);
  if (ns === undefined)
    throw new LokiHttpError(400, `invalid ${name} parameter: cannot parse ${JSON.stringify(raw)} as a timestamp`);
  return ns;
}
