import { sandboxLogHandler } from '@pactown/error-files';
import {
  type Handler,
  type Logger,
  type StreamHandler,
  getLogger,
  jsonFormatter,
  prettyFormatter,
  readEnvLevels,
  streamHandler,
} from '@pactown/log-core';
import type { LokiClient } from '@pactown/loki-transport';
import { lokiHandler } from '@pactown/loki-transport/log-core';
import type { RunnerConfig } from '../config/config.js';
import { displayUrl, redactUrls } from './urls.js';
import { userLogHandler } from './user-logs.js';

export interface LoggingOptions {
  config: RunnerConfig;
  /** Read for `PACTOWN_LOG_LEVELS` (`name=LEVEL,...`, log-core's format). @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Owner of a service, for the per-user files. */
  ownerOf: (serviceId: string) => string | undefined;
  /** Where console lines go; `false` turns the console off (tests). @default process.stdout */
  console?: NodeJS.WritableStream | false;
  /** Push target overriding `config.lokiUrl` (the demo's in-process receiver). */
  lokiUrl?: string | null;
}

export interface Logging {
  /** `pactown`: every handler hangs here; the other loggers propagate to it. */
  root: Logger;
  http: Logger;
  sandbox: Logger;
  security: Logger;
  /** The Loki client when shipping is on. */
  loki: LokiClient | null;
  /** The Loki URL as it may be shown (no credentials, query or fragment), when shipping is on. */
  lokiUrl: string | null;
  handlers: readonly Handler[];
  /** The console handler (its `dropped` counts lines a slow stdout reader missed), when there is one. */
  console: StreamHandler | null;
  /** Resolves once every handler has written what it was given. */
  flush(): Promise<void>;
  /** Flushes, detaches and closes every handler (the Loki client drains first). */
  close(): Promise<void>;
}

/**
 * Wires logging as the seed describes: `pactown` at INFO and
 * `pactown.sandbox` at DEBUG (env-overridable), console pretty on a TTY and
 * JSON otherwise, a rotating `sandbox.log`, per-user files, and Loki when a URL
 * is set. Nothing happens at import time; this runs when the app starts.
 */
export function setupLogging(options: LoggingOptions): Logging {
  const { config } = options;
  const root = getLogger('pactown');
  const sandbox = getLogger('pactown.sandbox');
  root.setLevel(config.logLevel);
  sandbox.setLevel(config.sandboxLogLevel);
  // Any other logger, e.g. PACTOWN_LOG_LEVELS=pactown.security=DEBUG,pactown.http=DEBUG
  for (const [name, level] of readEnvLevels(options.env ?? process.env).loggers) getLogger(name).setLevel(level);
  // The app owns its output: records stop at `pactown` instead of reaching root's handlers too.
  root.propagate = false;

  const handlers: Handler[] = [];
  const stream = options.console === undefined ? process.stdout : options.console;
  let consoleHandler: StreamHandler | null = null;
  if (stream !== false) {
    const tty = (stream as NodeJS.WriteStream).isTTY === true;
    const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && tty);
    // A stalled `| less` or slow collector must not grow the heap: past 4 MiB held, console
    // lines are dropped and counted (files and Loki still get them).
    consoleHandler = streamHandler({
      stream,
      name: 'console',
      level: config.consoleLevel,
      formatter: pretty ? prettyFormatter({ colorize: tty }) : jsonFormatter(),
      maxPendingBytes: 4 * 1024 * 1024,
    });
    handlers.push(consoleHandler);
  }
  handlers.push(
    sandboxLogHandler({
      logDir: config.logDir,
      maxBytes: config.sandboxLogMaxBytes,
      backupCount: config.sandboxLogBackups,
    }),
  );
  handlers.push(userLogHandler({ logDir: config.logDir, ownerOf: options.ownerOf }));

  // `loadConfig` has already moved any credentials of LOKI_URL to basic auth;
  // the transport names its handler without them, and the app shows `displayUrl` only.
  const lokiUrl = options.lokiUrl === undefined ? config.lokiUrl : options.lokiUrl;
  const { lokiUsername: username, lokiPassword: password } = config;
  let loki: LokiClient | null = null;
  if (lokiUrl) {
    const handler = lokiHandler({
      url: lokiUrl,
      // `service` is the seed's selector; the record's own `service` field (the
      // sandbox id) stays in the line as `service=<id>` rather than a label.
      labels: { service: config.lokiServiceLabel, source: 'app' },
      labelFields: ['level', 'logger'],
      ...(config.lokiTenant ? { tenant: config.lokiTenant } : {}),
      ...(username && password ? { basicAuth: { username, password } } : {}),
      ...(config.lokiBearerToken ? { bearerToken: config.lokiBearerToken } : {}),
      // Counters are served on /metrics instead of being logged every minute.
      metricsInterval: 0,
      // At shutdown the app waits this long for Loki to take what is queued (the rest is said on stderr).
      drainTimeout: config.lokiDrainMs,
      // A Loki back from an outage gets the backlog within 30 s, not after a backoff of minutes.
      maxBackoff: 30_000,
      onWarning: (message: string) => process.stderr.write(`[@pactown/loki-transport] ${redactUrls(message)}\n`),
    });
    loki = handler.client;
    handlers.push(handler);
  }
  for (const handler of handlers) root.addHandler(handler);

  let closed: Promise<void> | null = null;
  return {
    root,
    http: getLogger('pactown.http'),
    sandbox,
    security: getLogger('pactown.security'),
    loki,
    lokiUrl: lokiUrl ? displayUrl(lokiUrl) : null,
    handlers,
    console: consoleHandler,
    async flush() {
      await Promise.all(handlers.map((h) => h.flush()));
    },
    close() {
      closed ??= (async () => {
        await Promise.all(handlers.map((h) => h.flush()));
        for (const handler of handlers) root.removeHandler(handler);
        await Promise.all(handlers.map((h) => h.close()));
      })();
      return closed;
    },
  };
}
