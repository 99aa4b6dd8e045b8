import http from 'node:http';
import https from 'node:https';
import type { LokiTlsOptions } from './types.js';

/** How one request ended. */
export type HttpResult =
  | { kind: 'response'; status: number; body: string; retryAfter: string | undefined }
  | { kind: 'timeout'; message: string }
  | { kind: 'network'; message: string }
  /** The request could not be made at all (http.request threw): retrying would not help. */
  | { kind: 'error'; message: string };

// Enough of an error body to log Loki's reason; the rest is read and discarded.
const MAX_BODY = 64 * 1024;

/** Keep-alive HTTP(S) requests to one Loki, with a per-request timeout. */
export class HttpClient {
  #agent: http.Agent;
  #module: typeof http | typeof https;
  #tls: LokiTlsOptions;
  #timeout: number;
  #inflight = new Set<http.ClientRequest>();

  constructor(url: URL, tls: LokiTlsOptions, timeout: number, sockets = 4) {
    const secure = url.protocol === 'https:';
    this.#module = secure ? https : http;
    this.#tls = tls;
    this.#timeout = timeout;
    const agentOptions = { keepAlive: true, maxSockets: sockets, keepAliveMsecs: 1000 };
    this.#agent = secure ? new https.Agent({ ...agentOptions, ...tls }) : new http.Agent(agentOptions);
  }

  /** Sends a request; never rejects. `timeout` (ms without an answer) overrides the client's for this request. */
  request(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body?: Buffer,
    timeout: number = this.#timeout,
  ): Promise<HttpResult> {
    return new Promise((resolve) => {
      let done = false;
      let req: http.ClientRequest | undefined;
      const finish = (result: HttpResult) => {
        if (done) return;
        done = true;
        if (req !== undefined) this.#inflight.delete(req);
        resolve(result);
      };
      try {
        req = this.#module.request(url, {
          method,
          agent: this.#agent,
          headers: body ? { ...headers, 'Content-Length': String(body.length) } : headers,
          ...(url.protocol === 'https:' ? this.#tls : {}),
        });
      } catch (err) {
        // A header or TLS setting Node refuses throws here; it must not become an unhandled rejection.
        finish({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        return;
      }
      const r = req;
      this.#inflight.add(r);
      r.setTimeout(timeout, () => {
        r.destroy();
        finish({ kind: 'timeout', message: `no answer within ${timeout} ms` });
      });
      r.on('error', (err) => finish({ kind: 'network', message: err.message }));
      r.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < MAX_BODY) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('end', () => {
          const retryAfter = res.headers['retry-after'];
          finish({
            kind: 'response',
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY),
            retryAfter,
          });
        });
        res.on('error', (err) => finish({ kind: 'network', message: err.message }));
      });
      try {
        r.end(body);
      } catch (err) {
        r.destroy();
        finish({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    });
  }

  /** Aborts requests in flight and closes idle sockets. */
  destroy(): void {
    for (const req of this.#inflight) req.destroy();
    this.#agent.destroy();
  }
}
