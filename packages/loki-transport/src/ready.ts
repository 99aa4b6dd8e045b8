import { HttpClient } from './http.js';
import { normalizeOptions } from './options.js';
import type { LokiOptions } from './types.js';

/** Options of `lokiReady`: the connection part of `LokiOptions`. */
export type LokiReadyOptions = Pick<
  LokiOptions,
  'url' | 'tenant' | 'basicAuth' | 'bearerToken' | 'headers' | 'tls' | 'timeout'
>;

/** Whether the Loki at `options.url` answers `GET /ready` with 200 (false on any error). */
export async function lokiReady(options: LokiReadyOptions): Promise<boolean> {
  const o = normalizeOptions(options as LokiOptions);
  const http = new HttpClient(o.baseUrl, o.tls, o.timeout);
  try {
    const url = new URL(o.baseUrl.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/ready`;
    const res = await http.request('GET', url, o.headers);
    return res.kind === 'response' && res.status === 200;
  } finally {
    http.destroy();
  }
}
