export { CODES } from './codes.js';
export type { LokiErrorCode } from './codes.js';
export { createLokiClient } from './client.js';
export type { LokiClient } from './client.js';
export { default, METRICS_EVENT } from './pino.js';
export { lokiReady } from './ready.js';
export type { LokiReadyOptions } from './ready.js';
export { formatSelector, quoteLabelValue, sanitizeLabelName } from './labels.js';
export { backoffDelay, parseRetryAfter } from './backoff.js';
export type {
  DropReason,
  LineFormat,
  LokiLatency,
  LokiMetrics,
  LokiOptions,
  LokiRecord,
  LokiTlsOptions,
  QueuePolicy,
  WireFormat,
} from './types.js';
