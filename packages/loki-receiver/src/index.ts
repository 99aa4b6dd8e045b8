export { CODES, LokiHttpError, LokiReceiverError } from './errors.js';
export { goQuote } from './go-quote.js';
export { formatLabels } from './labels.js';
export { DEFAULTS, LOKI_LEVEL_FIELDS, LOKI_SERVICE_NAME_LABELS, LOKI_VERSION } from './options.js';
export { PUSH_PROTO } from './wire/push-proto.js';
export { LOGPROTO_SCHEMA_JSON } from './wire/protobuf.js';
export { lokiConfigToReceiverOptions } from './loki-config.js';
export { LokiReceiver, startLokiReceiver } from './receiver.js';
export type { ReceiverErrorCode } from './errors.js';
export type { MetricSeries } from './metric-query.js';
export type {
  CategorizedLabels,
  DownOptions,
  FailOptions,
  Labels,
  LokiQueryData,
  LokiReceiverOptions,
  LokiStreamResult,
  QueryOptions,
  ReceivedEntry,
  ReceiverStats,
  TrafficCounter,
} from './types.js';
