import { rejectUnknownKeys } from '@pactown/options';

const WHERE = { pkg: '@pactown/log-core', prefix: 'PACTOWN_CORE' } as const;

/** Throws a `TypeError` (code `PACTOWN_CORE_UNKNOWN_OPTION`) naming an unknown key of `options` and the nearest valid one. */
export function checkKeys(options: object, known: readonly string[], where: string): void {
  rejectUnknownKeys(options, known, { ...WHERE, where });
}

const BACKPRESSURE = ['maxPendingBytes', 'overflow', 'flushTimeoutMs', 'reportIntervalMs'] as const;
const HANDLER = ['level', 'formatter'] as const;

/** The valid keys of every options object of log-core, in one place. */
export const KNOWN = {
  file: ['filename', 'maxPendingBytes', ...HANDLER],
  rotatingFile: ['filename', 'maxBytes', 'backupCount', 'maxPendingBytes', ...HANDLER],
  stream: ['stream', 'name', 'end', ...HANDLER, ...BACKPRESSURE],
  console: ['stream', ...HANDLER, ...BACKPRESSURE],
  callback: ['name', ...HANDLER],
  transport: ['target', 'options', ...HANDLER],
  handleExit: ['signals', 'timeoutMs'],
  pattern: ['datefmt', 'utc', 'missing', 'stack'],
  pretty: ['colorize', 'stream', 'datefmt'],
  json: ['timestamp', 'datefmt'],
  redact: ['keys', 'paths', 'patterns', 'rules', 'disable', 'knownValues', 'censor', 'defaults'],
  handlerSpec: ['name', 'level', 'formatter', 'emit', 'flush', 'flushSync', 'close'],
  configure: [
    'level',
    'root',
    'loggers',
    'formatters',
    'handlers',
    'redact',
    'redactMessages',
    'env',
    'handleExit',
    'lastResort',
    'incremental',
    'flushOnExit',
  ],
  logger: ['level', 'handlers', 'propagate'],
  formatterConfig: {
    pattern: ['type', 'format', 'datefmt', 'utc'],
    json: ['type', 'timestamp', 'datefmt'],
    ndjson: ['type'],
    pretty: ['type', 'colorize', 'datefmt'],
  },
  handlerConfig: {
    console: ['type', 'stream', ...HANDLER, ...BACKPRESSURE],
    stream: ['type', 'stream', ...HANDLER, ...BACKPRESSURE],
    file: ['type', 'filename', 'maxPendingBytes', ...HANDLER],
    'rotating-file': ['type', 'filename', 'maxBytes', 'backupCount', 'maxPendingBytes', ...HANDLER],
    callback: ['type', 'callback', ...HANDLER],
    transport: ['type', 'target', 'options', ...HANDLER],
  },
} as const;
