export type { CoreErrorCode } from './codes.js';
export { CODES } from './codes.js';
export type {
  ConfigureResult,
  FormatterConfig,
  HandlerConfig,
  LoggerConfig,
  LoggingConfig,
} from './configure-types.js';
export { configure } from './configure.js';
export type { EnvLevels } from './env.js';
export { configureFromEnv, readEnvLevels } from './env.js';
export { serializeError } from './error-data.js';
export type { JsonFormatterOptions } from './formatters/json.js';
export { jsonFormatter, ndjsonFormatter } from './formatters/json.js';
export type { PatternFormatterOptions } from './formatters/pattern.js';
export { DEFAULT_PATTERN, patternFormatter } from './formatters/pattern.js';
export type { PrettyFormatterOptions } from './formatters/pretty.js';
export { prettyFormatter } from './formatters/pretty.js';
export { DEFAULT_DATEFMT, strftime } from './formatters/time.js';
export type { HandlerHealth, HandlerSpec, ManagedHandler } from './handler.js';
export { createHandler } from './handler.js';
export type { CallbackHandlerOptions } from './handlers/callback.js';
export { callbackHandler } from './handlers/callback.js';
export type { FileHandlerOptions } from './handlers/file.js';
export { fileHandler } from './handlers/file.js';
export type { RotatingFileHandlerOptions } from './handlers/rotating-file.js';
export { rotatingFileHandler } from './handlers/rotating-file.js';
export type { OverflowPolicy } from './handlers/pending.js';
export type { ConsoleHandlerOptions, StreamHandler, StreamHandlerOptions, WritableLike } from './handlers/stream.js';
export type { BackpressureOptions } from './handlers/stream-options.js';
export { consoleHandler, streamHandler } from './handlers/stream.js';
export type { TransportHandlerOptions } from './handlers/transport.js';
export { transportHandler } from './handlers/transport.js';
export { LEVELS, levelName, parseLevel } from './levels.js';
export type { ExitRegistry, HandleExitOptions } from './lifecycle.js';
export {
  EXIT_REGISTRY_KEY,
  exitRegistry,
  flush,
  flushSync,
  handleExit,
  handlerHealth,
  registerExitTask,
  shutdown,
} from './lifecycle.js';
export { getLogger } from './logger.js';
export type { Logger, LoggerExtensions } from './logger-types.js';
export type { Redactor, RedactorOptions } from './redact.js';
export { createRedactor, DEFAULT_REDACT_KEYS, getRedactor, MASKED, redactText } from './redact.js';
export type { DefaultRuleInfo, RedactionRule } from './redact-rules.js';
export { DEFAULT_RULES } from './redact-rules.js';
export type { LineMasker } from './redact-stream.js';
export { collectSecretValues, createLineMasker } from './redact-stream.js';
export type { Formatter, Handler, LevelInput, LevelName, LogRecord, SerializedError } from './types.js';
