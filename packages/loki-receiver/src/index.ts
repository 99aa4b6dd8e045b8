export { LokiHttpError, LokiReceiverError } from './errors.js';
export { goQuote } from './go-quote.js';
export { formatLabels } from './labels.js';
export { DEFAULTS, LOKI_SERVICE_NAME_LABELS } from './options.js';
export { LOGPROTO_SCHEMA_JSON } from './proto.js';
export { LokiReceiver, startLokiReceiver } from './receiver.js';
export type {
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
