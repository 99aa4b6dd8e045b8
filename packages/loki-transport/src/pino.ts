import { isMainThread, parentPort } from 'node:worker_threads';
import build from 'pino-abstract-transport';
import { createLokiClient, type LokiClient } from './client.js';
import { metricsFields, withPatternFormatter } from './resolve.js';
import type { LokiMetrics, LokiOptions } from './types.js';

/** Name of the event the pino transport stream emits in the main thread with each counters report. */
export const METRICS_EVENT = 'lokiMetrics';

function reportFrom(getClient: () => LokiClient | undefined): (m: LokiMetrics) => void {
  return (m) => {
    // One record on the `pactown.loki` logger, shipped with the others, and the
    // counters object to the main thread (pino's ThreadStream re-emits 'EVENT' messages).
    getClient()?.push({ level: 30, time: Date.now(), name: 'pactown.loki', msg: 'loki transport counters', ...metricsFields(m) });
    if (!isMainThread && parentPort) parentPort.postMessage({ code: 'EVENT', name: METRICS_EVENT, args: [m] });
  };
}

/**
 * The pino transport: `pino.transport({ target: '@pactown/loki-transport', options })`.
 * Runs in pino's worker thread; `options` must be structured-cloneable
 * (no functions: use `format: 'pattern'` rather than `formatter`).
 */
export default async function lokiTransport(options: LokiOptions) {
  let client: LokiClient | undefined;
  // pino and thread-stream add their own keys (`$context`, `pinoWillSendConfig`) to the options.
  const own = Object.fromEntries(Object.entries(options ?? {}).filter(([k]) => !k.startsWith('$') && k !== 'pinoWillSendConfig')) as unknown as LokiOptions;
  const resolved = await withPatternFormatter(own);
  client = createLokiClient({ ...resolved, onMetrics: resolved.onMetrics ?? reportFrom(() => client) });
  const c = client;
  return build(
    // 'data' events rather than for-await: no promise per line on the hot path.
    (source) =>
      new Promise<void>((resolve) => {
        source.on('data', (obj: Record<string, unknown>) => {
          if (!c.push(obj)) {
            source.pause();
            void c.waitForRoom().then(() => source.resume());
          }
        });
        source.once('end', resolve);
        source.once('close', resolve);
      }),
    {
      async close() {
        await c.close();
      },
    },
  );
}
