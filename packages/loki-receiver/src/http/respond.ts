import type { IncomingMessage, ServerResponse } from 'node:http';
import { LokiHttpError } from '../errors.js';

/** Plain-text answer, as Loki sends its errors. */
export function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const body = status === 204 ? '' : text.endsWith('\n') || text === '' ? text : `${text}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendError(res: ServerResponse, error: unknown): void {
  if (error instanceof LokiHttpError) sendText(res, error.status, error.message, error.headers);
  else sendText(res, 500, `internal error: ${(error as Error)?.message ?? String(error)}`);
}

/** Reads a request body, refusing (413, Loki's message) anything above `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(new LokiHttpError(413, `request body too large: ${declared} bytes, limit: ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new LokiHttpError(413, `request body too large: ${size} bytes, limit: ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
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
