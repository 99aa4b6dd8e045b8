import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { nowNs, protobufBody, push } from '../helpers.js';
import { sharedReceiver } from './setup.js';

// Loki 3.7.6: docs/sources/reference/loki-http-api.md (Stream logs:
// GET /loki/api/v1/tail, a WebSocket; query, limit, start; each message is
// {"streams":[{"stream":{...},"values":[[ns, line]]}],"dropped_entries":...}).

const shared = sharedReceiver({ discoverServiceName: false, discoverLogLevels: false });

function messages(ws: WebSocket): { next(): Promise<any> } {
  const queue: any[] = [];
  const waiting: Array<(m: any) => void> = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return { next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiting.push(r))) };
}

describe('tail (WebSocket)', () => {
  it('sends the matching lines since start, then each new matching line as it is stored', async () => {
    const r = shared.get();
    const t = nowNs(-1000);
    await push(
      r.url,
      protobufBody([
        {
          labels: '{app="web"}',
          entries: [
            { ts: t, line: 'before error' },
            { ts: t + 1n, line: 'before ok' },
          ],
        },
      ]),
    );
    const ws = new WebSocket(
      `${r.url.replace('http', 'ws')}/loki/api/v1/tail?${new URLSearchParams({ query: '{app="web"} |= "error"', start: String(t - 10n) })}`,
    );
    const inbox = messages(ws);
    await once(ws, 'open');
    const first = await inbox.next();
    expect(first).toEqual({
      streams: [{ stream: { app: 'web' }, values: [[String(t), 'before error']] }],
      dropped_entries: null,
    });
    await push(
      r.url,
      protobufBody([
        {
          labels: '{app="web"}',
          entries: [
            { ts: t + 5n, line: 'later ok' },
            { ts: t + 6n, line: 'later error' },
          ],
        },
        { labels: '{app="db"}', entries: [{ ts: t + 7n, line: 'db error' }] },
      ]),
    );
    const second = await inbox.next();
    expect(second.streams).toEqual([{ stream: { app: 'web' }, values: [[String(t + 6n), 'later error']] }]);
    ws.close();
    await once(ws, 'close');
  });

  it('refuses a bad query with 400 before upgrading', async () => {
    const ws = new WebSocket(
      `${shared.get().url.replace('http', 'ws')}/loki/api/v1/tail?query=${encodeURIComponent('{app=')}`,
    );
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
    expect(res.statusCode).toBe(400);
  });
});
