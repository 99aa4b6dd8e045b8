import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { ReceiverCore } from '../core.js';
import { LokiHttpError } from '../errors.js';
import { type PipelineEntry, runPipeline } from '../logql/pipeline.js';
import type { StreamData } from '../store.js';
import { joinNs, nsString, splitNs } from '../timestamp.js';
import { parseTimeParam } from '../time-format.js';
import type { Labels } from '../types.js';

// GET /loki/api/v1/tail (docs: Stream logs): a WebSocket that first sends the
// matching lines since `start` (default 1 h ago, at most `limit`, 100), then
// every matching line as it is stored, as
// {"streams":[{"stream":{...},"values":[[ns, line]]}],"dropped_entries":null}.

const NS_PER_MS = 1_000_000n;

function labelsOf(stream: StreamData, i: number, entry: PipelineEntry): Labels {
  const meta = stream.metadata[i];
  const all: Labels = { ...stream.labels, ...(meta ?? {}), ...entry.parsed };
  for (const d of entry.dropped) delete all[d];
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]!]),
  );
}

/** Handles the HTTP upgrade of a tail request; answers Loki's 400 before upgrading when the query is bad. */
export function createTailHandler(core: ReceiverCore) {
  const wss = new WebSocketServer({ noServer: true });
  return {
    close: () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
      let tenant: string;
      let query: ReturnType<ReceiverCore['checkSelector']>;
      let start: bigint;
      let limit: number;
      try {
        tenant = core.tenantOf(req.headers['x-scope-orgid']);
        const q = url.searchParams.get('query');
        if (!q) throw new LokiHttpError(400, 'parse error : syntax error: unexpected $end, expecting {');
        query = core.checkSelector(q);
        const raw = url.searchParams.get('start');
        const parsed = raw ? parseTimeParam(raw) : BigInt(Math.trunc(core.opts.now()) - 3_600_000) * NS_PER_MS;
        if (parsed === undefined)
          throw new LokiHttpError(400, `invalid start parameter: cannot parse ${JSON.stringify(raw)} as a timestamp`);
        start = parsed;
        limit = Number(url.searchParams.get('limit') ?? 100);
        if (!Number.isInteger(limit) || limit <= 0) throw new LokiHttpError(400, 'limit must be a positive value');
      } catch (error) {
        const e = error instanceof LokiHttpError ? error : new LokiHttpError(500, String(error));
        socket.end(
          `HTTP/1.1 ${e.status} ${e.status === 401 ? 'Unauthorized' : 'Bad Request'}\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n\r\n${e.message}\n`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const send = (items: Array<{ labels: Labels; ts: string; line: string }>) => {
          if (items.length === 0 || ws.readyState !== ws.OPEN) return;
          const streams = new Map<string, { stream: Labels; values: string[][] }>();
          for (const it of items) {
            const key = JSON.stringify(it.labels);
            let s = streams.get(key);
            if (!s) streams.set(key, (s = { stream: it.labels, values: [] }));
            s.values.push([it.ts, it.line]);
          }
          ws.send(JSON.stringify({ streams: [...streams.values()], dropped_entries: null }));
        };
        const matches = (stream: StreamData, i: number) => {
          const entry: PipelineEntry = {
            line: stream.line(i),
            base: stream.metadata[i] ? { ...stream.labels, ...stream.metadata[i] } : stream.labels,
            parsed: {},
            dropped: new Set(),
          };
          return runPipeline(query.stages, entry)
            ? { labels: labelsOf(stream, i, entry), ts: nsString(stream.ms[i]!, stream.sub[i]!), line: entry.line }
            : undefined;
        };
        // The look-back: the newest `limit` lines since start, oldest first.
        const past: Array<{ labels: Labels; ts: string; line: string; at: bigint }> = [];
        const [sMs, sSub] = splitNs(start);
        for (const stream of core.store.streams(tenant)) {
          if (!query.matchers.every((m) => m.matches(stream.labels[m.name] ?? ''))) continue;
          for (let i = stream.bound(sMs, sSub); i < stream.size; i++) {
            const hit = matches(stream, i);
            if (hit) past.push({ ...hit, at: joinNs(stream.ms[i]!, stream.sub[i]!) });
          }
        }
        past.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
        send(past.slice(-limit));
        const stop = core.ingester.onStored.add((t, stream, indexes) => {
          if (t !== tenant || !query.matchers.every((m) => m.matches(stream.labels[m.name] ?? ''))) return;
          const items = [];
          for (const i of indexes) {
            const hit = matches(stream, i);
            if (hit) items.push(hit);
          }
          send(items);
        });
        ws.on('close', stop);
      });
    },
  };
}
