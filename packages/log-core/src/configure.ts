import { CODES, coreError } from './codes.js';
import type {
  ConfigureResult,
  FormatterConfig,
  HandlerConfig,
  LoggerConfig,
  LoggingConfig,
} from './configure-types.js';
import { configureFromEnv } from './env.js';
import { jsonFormatter, ndjsonFormatter } from './formatters/json.js';
import { DEFAULT_PATTERN, patternFormatter } from './formatters/pattern.js';
import { prettyFormatter } from './formatters/pretty.js';
import { callbackHandler } from './handlers/callback.js';
import { fileHandler } from './handlers/file.js';
import { rotatingFileHandler } from './handlers/rotating-file.js';
import { consoleHandler, streamHandler } from './handlers/stream.js';
import type { BackpressureOptions } from './handlers/stream-options.js';
import { transportHandler } from './handlers/transport.js';
import { checkKeys, KNOWN } from './known-options.js';
import { checkHandleExitOptions, handleExit } from './lifecycle.js';
import { parseLevel } from './levels.js';
import { getLogger } from './logger.js';
import { createRedactor, setRedactor } from './redact.js';
import { settings } from './settings.js';
import type { Formatter, Handler } from './types.js';

const bad = (what: string, value: unknown, expected: string) =>
  coreError(
    CODES.INVALID_OPTION,
    `[@pactown/log-core] Invalid ${what}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}; expected ${expected}.`,
  );

/** Handlers installed by the last non-incremental configure(), with the loggers they were attached to. */
let installed: Array<{ handler: Handler; loggers: string[]; owned: boolean }> = [];

/**
 * Configures logging from a plain object (Python's `dictConfig`), then from the
 * environment. Everything is validated before anything changes.
 */
export function configure(config: LoggingConfig = {}): ConfigureResult {
  if (config === null || typeof config !== 'object') throw bad('config', config, 'an object');
  checkKeys(config, KNOWN.configure, 'configure()');
  for (const [name, cfg] of Object.entries(config.loggers ?? {})) {
    if (cfg !== null && typeof cfg === 'object') checkKeys(cfg, KNOWN.logger, `loggers.${name}`);
  }
  if (config.root !== null && typeof config.root === 'object') checkKeys(config.root, KNOWN.logger, 'root');
  for (const [name, spec] of Object.entries(config.formatters ?? {})) {
    if (spec === null || typeof spec !== 'object') continue;
    const known =
      KNOWN.formatterConfig[((spec as { type?: string }).type ?? 'pattern') as keyof typeof KNOWN.formatterConfig];
    if (known !== undefined) checkKeys(spec, known, `formatters.${name}`);
  }
  for (const [name, spec] of Object.entries(config.handlers ?? {})) {
    if (spec === null || typeof spec !== 'object' || typeof (spec as Handler).handle === 'function') continue;
    const known = KNOWN.handlerConfig[(spec as { type?: string }).type as keyof typeof KNOWN.handlerConfig];
    if (known !== undefined) checkKeys(spec, known, `handlers.${name}`);
  }
  const formatters = buildFormatters(config.formatters ?? {});
  const loggers: Array<[string | undefined, LoggerConfig]> = [];
  if (config.root !== undefined || config.level !== undefined)
    loggers.push([undefined, { ...config.root, level: config.level ?? config.root?.level }]);
  for (const [name, cfg] of Object.entries(config.loggers ?? {}))
    loggers.push([name === 'root' ? undefined : name, cfg]);
  for (const [name, cfg] of loggers) checkLoggerConfig(name ?? 'root', cfg, config.handlers ?? {});
  const redactor = config.redact === undefined ? undefined : createRedactor(config.redact);
  checkEnvAndExit(config);
  const handlers = buildHandlers(config.handlers ?? {}, formatters);

  if (config.incremental !== true) {
    for (const { handler, loggers: names, owned } of installed) {
      for (const name of names) getLogger(name).removeHandler(handler);
      // Handlers passed in ready-made belong to the caller: detached, not closed.
      if (owned) void handler.close();
    }
    installed = [];
  }
  if (redactor !== undefined) setRedactor(redactor);
  if (config.redactMessages !== undefined) settings.redactMessages = config.redactMessages === true;
  if (config.lastResort !== undefined) settings.lastResort = config.lastResort === true;
  if (config.flushOnExit !== undefined) settings.flushOnExit = config.flushOnExit === true;
  const attachedTo = new Map<Handler, string[]>();
  for (const [name, cfg] of loggers) {
    const logger = getLogger(name);
    if (cfg.level !== undefined) logger.setLevel(cfg.level);
    if (cfg.propagate !== undefined) logger.propagate = cfg.propagate;
    for (const handlerName of cfg.handlers ?? []) {
      const handler = handlers[handlerName]!;
      logger.addHandler(handler);
      attachedTo.set(handler, [...(attachedTo.get(handler) ?? []), logger.loggerName]);
    }
  }
  const given = new Set(
    Object.values(config.handlers ?? {}).filter((h) => typeof (h as Handler).handle === 'function'),
  );
  for (const [handler, names] of attachedTo)
    installed.push({ handler, loggers: names, owned: !given.has(handler as never) });
  if (config.env !== false)
    configureFromEnv(config.env === true || config.env === undefined ? process.env : config.env);
  if (config.handleExit !== undefined && config.handleExit !== false)
    handleExit(config.handleExit === true ? {} : config.handleExit);
  return { handlers, formatters };
}

function buildFormatters(specs: Record<string, FormatterConfig>): Record<string, Formatter> {
  const out: Record<string, Formatter> = {};
  for (const [name, spec] of Object.entries(specs)) {
    if (typeof spec === 'function') {
      out[name] = spec;
      continue;
    }
    if (spec === null || typeof spec !== 'object')
      throw bad(`formatters.${name}`, spec, 'a formatter or a formatter description');
    switch (spec.type ?? 'pattern') {
      case 'pattern': {
        const s = spec as { format?: string; datefmt?: string; utc?: boolean };
        out[name] = patternFormatter(s.format ?? DEFAULT_PATTERN, { datefmt: s.datefmt, utc: s.utc });
        break;
      }
      case 'json':
        out[name] = jsonFormatter({ ...spec, type: undefined } as unknown as {
          timestamp?: 'iso' | 'asctime' | 'epoch';
          datefmt?: string;
        });
        break;
      case 'ndjson':
        out[name] = ndjsonFormatter();
        break;
      case 'pretty':
        out[name] = prettyFormatter({ ...spec, type: undefined } as unknown as {
          colorize?: boolean;
          datefmt?: string;
        });
        break;
      default:
        throw bad(`formatters.${name}.type`, spec.type, "'pattern', 'json', 'ndjson' or 'pretty'");
    }
  }
  return out;
}

function checkEnvAndExit(config: LoggingConfig): void {
  const { env, handleExit: exit } = config;
  if (env !== undefined && typeof env !== 'boolean' && (env === null || typeof env !== 'object')) {
    throw bad('env', env, 'a boolean or an environment map');
  }
  if (exit !== undefined && typeof exit !== 'boolean') {
    if (exit === null || typeof exit !== 'object')
      throw bad('handleExit', exit, 'a boolean or { signals?, timeoutMs? }');
    checkHandleExitOptions(exit, 'handleExit.');
  }
}

function buildHandlers(
  specs: Record<string, HandlerConfig>,
  formatters: Record<string, Formatter>,
): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  const built: Handler[] = [];
  try {
    for (const [name, spec] of Object.entries(specs)) {
      const handler = buildHandler(name, spec, formatters);
      if (handler !== spec) built.push(handler);
      out[name] = handler;
    }
  } catch (error) {
    // Only what was built here is closed: ready-made handlers belong to the caller.
    for (const handler of built) void handler.close();
    throw error;
  }
  return out;
}

function backpressure(s: BackpressureOptions): BackpressureOptions {
  return {
    maxPendingBytes: s.maxPendingBytes,
    overflow: s.overflow,
    flushTimeoutMs: s.flushTimeoutMs,
    reportIntervalMs: s.reportIntervalMs,
  };
}

function buildHandler(name: string, spec: HandlerConfig, formatters: Record<string, Formatter>): Handler {
  if (spec === null || typeof spec !== 'object')
    throw bad(`handlers.${name}`, spec, 'a handler or a handler description');
  if (typeof (spec as Handler).handle === 'function') {
    if (typeof (spec as Handler).level !== 'number')
      throw bad(`handlers.${name}`, spec, 'a Handler with a numeric level (see createHandler)');
    return spec as Handler;
  }
  const s = spec as Exclude<HandlerConfig, Handler>;
  let formatter: Formatter | undefined;
  if (typeof s.formatter === 'string') {
    formatter = formatters[s.formatter];
    if (formatter === undefined)
      throw bad(
        `handlers.${name}.formatter`,
        s.formatter,
        `one of the configured formatters (${Object.keys(formatters).join(', ') || 'none'})`,
      );
  } else if (s.formatter !== undefined) {
    formatter = s.formatter;
  }
  const common = { level: s.level, formatter };
  switch (s.type) {
    case 'console':
      return consoleHandler({ ...common, ...backpressure(s), stream: s.stream });
    case 'stream':
      return streamHandler({ ...common, ...backpressure(s), stream: s.stream });
    case 'file':
      return fileHandler({ ...common, filename: s.filename, maxPendingBytes: s.maxPendingBytes });
    case 'rotating-file':
      return rotatingFileHandler({
        ...common,
        filename: s.filename,
        maxBytes: s.maxBytes,
        backupCount: s.backupCount,
        maxPendingBytes: s.maxPendingBytes,
      });
    case 'callback':
      return callbackHandler(s.callback, common);
    case 'transport':
      return transportHandler({ ...common, target: s.target, options: s.options });
    default:
      throw bad(
        `handlers.${name}.type`,
        (s as { type?: unknown }).type,
        "'console', 'stream', 'file', 'rotating-file', 'callback' or 'transport'",
      );
  }
}

function checkLoggerConfig(name: string, cfg: LoggerConfig, handlers: Record<string, unknown>): void {
  if (cfg === null || typeof cfg !== 'object') throw bad(`loggers.${name}`, cfg, 'an object');
  if (cfg.level !== undefined) parseLevel(cfg.level);
  if (cfg.propagate !== undefined && typeof cfg.propagate !== 'boolean')
    throw bad(`loggers.${name}.propagate`, cfg.propagate, 'a boolean');
  if (cfg.handlers !== undefined && !Array.isArray(cfg.handlers))
    throw bad(`loggers.${name}.handlers`, cfg.handlers, 'an array of handler names');
  for (const h of cfg.handlers ?? []) {
    if (!Object.hasOwn(handlers, h))
      throw bad(
        `loggers.${name}.handlers`,
        h,
        `one of the configured handlers (${Object.keys(handlers).join(', ') || 'none'})`,
      );
  }
}
