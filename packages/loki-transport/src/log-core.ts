import { createHandler, getLogger, type Handler, type LevelInput, patternFormatter } from '@pactown/log-core';
import { createLokiClient, type LokiClient } from './client.js';
import { redactUrl } from './options.js';
import { metricsFields } from './metrics-fields.js';
import type { LokiOptions } from './types.js';

/** Options of `lokiHandler`: the client's options plus the handler's level. */
export interface LokiHandlerOptions extends LokiOptions {
  /** Minimum level of this handler. @default 'NOTSET' (every record the logger lets through) */
  level?: LevelInput;
}

/** A log-core handler with its client reachable for counters. */
export interface LokiHandler extends Handler {
  readonly client: LokiClient;
}

/**
 * The log-core face: `getLogger('pactown').addHandler(lokiHandler({ url }))`.
 * Counters are reported as records on the `pactown.loki` logger every
 * `metricsInterval` (they reach Loki too when this handler sits above it).
 */
export function lokiHandler(options: LokiHandlerOptions): LokiHandler {
  const { level, ...rest } = options ?? ({} as LokiHandlerOptions);
  const formatter = rest.formatter ?? (rest.format === 'pattern' ? patternFormatter(rest.pattern) : undefined);
  const client = createLokiClient({
    ...rest,
    formatter,
    onMetrics: rest.onMetrics ?? ((m) => getLogger('pactown.loki').info(metricsFields(m), 'loki transport counters')),
  });
  const handler = createHandler({
    // Apps print handler names (e.g. on /metrics): no credentials from the URL.
    name: `loki:${redactUrl(rest.url)}`,
    level,
    // The client formats lines itself; the handler's own formatter would be wasted work.
    formatter: () => '',
    emit(_line, record) {
      client.push(record);
    },
    flush: () => client.flush(),
    // log-core's handleExit() calls this in its 'exit' listener.
    flushSync: () => client.flushSync(),
    close: () => client.close(),
  });
  return Object.assign(handler, { client });
}
