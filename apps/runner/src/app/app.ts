import fs from 'node:fs/promises';
import path from 'node:path';
import { ServiceRunner, resolveIsolation } from '@pactown/sandbox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { RunnerConfig } from '../config/config.js';
import type { RunnerContext } from './context.js';
import { DropCounter } from './drops.js';
import { authenticate, type Caller } from '../http/auth.js';
import { type SchemaError, failedField, failureMessage, maxBytesKeyword } from '../http/schemas.js';
import { logRoutes } from '../http/routes/logs.js';
import { metaRoutes } from '../http/routes/meta.js';
import { pageRoutes } from '../http/routes/page.js';
import { runRoutes } from '../http/routes/run.js';
import { serviceRoutes } from '../http/routes/services.js';
import { type Logging, setupLogging } from '../logging/setup.js';
import { createMetrics } from '../metrics/runner-metrics.js';
import { WEB_DIR } from './paths.js';
import { AnomalyLog } from '../security/anomaly-log.js';
import { AuthFailureLog, quoteUserText } from '../security/auth-failures.js';
import { SecurityPolicy } from '../security/policy.js';
import { wireRunnerEvents } from '../services/lifecycle.js';
import { LiveHub } from '../services/live-hub.js';
import { ServiceRegistry } from '../services/registry.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export interface RunnerAppOptions {
  config: RunnerConfig;
  /** Console destination; `false` for none (tests). @default process.stdout */
  console?: NodeJS.WritableStream | false;
  /** Loki push URL overriding the config (the demo's in-process receiver). */
  lokiUrl?: string | null;
  /** Environment read for `PACTOWN_LOG_LEVELS`. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Folder of the built page. @default dist/web of this app */
  webDir?: string;
}

export interface RunnerApp {
  fastify: FastifyInstance;
  context: RunnerContext;
  logging: Logging;
  /** Listens on the configured host and port; resolves with the base URL. */
  listen(): Promise<string>;
  /** Stops accepting runs, stops every service, flushes every log, closes. Idempotent. */
  shutdown(reason?: string): Promise<void>;
}

const PUBLIC_PATHS = new Set(['/', '/index.html', '/app.js', '/app.js.map', '/styles.css', '/health']);

/** Fails early, with the folder named, when a folder cannot be created or written. */
export async function ensureWritable(dir: string, what: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.rm(probe, { force: true });
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    throw new Error(
      `[@pactown/example-runner] the ${what} folder ${dir} is not writable (${code}); set ${what === 'log' ? 'PACTOWN_LOG_DIR' : 'PACTOWN_SANDBOXES_DIR'} or PACTOWN_HOME to a writable folder`,
      { cause: error },
    );
  }
}

/**
 * The isolation the app's services get. With API tokens (several users) a
 * service must not reach another user's, so the app refuses to start without
 * namespaces, unless the operator wrote `PACTOWN_ISOLATION=none` themselves.
 */
export function chooseIsolation(
  config: Pick<RunnerConfig, 'isolation' | 'apiTokens'>,
  { logger, bwrap }: { logger?: { warn(fields: object, message: string): void }; bwrap?: string } = {},
): 'namespaces' | 'none' {
  const resolved = resolveIsolation(config.isolation ?? undefined, {
    ...(logger ? { logger } : {}),
    ...(bwrap ? { bwrap } : {}),
  });
  if (resolved.mode !== 'namespaces' && config.apiTokens !== null && config.isolation !== 'none') {
    const why = resolved.probe && !resolved.probe.ok ? `: ${resolved.probe.reason}. To fix: ${resolved.probe.fix}` : '';
    throw Object.assign(
      new Error(
        `[@pactown/example-runner] refusing to start in multi-user mode (PACTOWN_API_TOKENS is set) without isolation${why}. Set PACTOWN_ISOLATION=none to run every user's services uncontained (trusted code only).`,
      ),
      { code: 'PACTOWN_RUNNER_ISOLATION_REQUIRED' },
    );
  }
  return resolved.mode;
}

/**
 * Once every handler is closed (the Loki client drained or given up), one
 * stderr line with every line the app and its Loki client left out, by
 * reason, when there are any: the counts `/health` showed, as they stand at
 * the very end (the Loki client's `closed` included).
 */
function reportLeftOut(context: RunnerContext, logging: Logging): void {
  const loki: Record<string, number> = logging.loki?.metrics().droppedLines ?? {};
  const counts: Record<string, number> = { ...context.drops.snapshot() };
  for (const [reason, n] of Object.entries(loki)) counts[`loki_${reason}`] = n;
  const nonzero = Object.entries(counts).filter(([, n]) => n > 0);
  if (nonzero.length === 0) return;
  const total = nonzero.reduce((sum, [, n]) => sum + n, 0);
  process.stderr.write(
    `[@pactown/example-runner] at shutdown: ${total} lines were left out in all, by reason: ${nonzero.map(([r, n]) => `${r}=${n}`).join(' ')}\n`,
  );
}

/** Builds the runner app: logging, sandbox runner, security policy and HTTP routes. */
export async function createRunnerApp(options: RunnerAppOptions): Promise<RunnerApp> {
  const { config } = options;
  await ensureWritable(config.logDir, 'log');
  await ensureWritable(config.sandboxesDir, 'sandboxes');

  const registry = new ServiceRegistry();
  const logging = setupLogging({
    config,
    ownerOf: (id) => registry.get(id)?.userId,
    ...(options.console !== undefined ? { console: options.console } : {}),
    ...(options.lokiUrl !== undefined ? { lokiUrl: options.lokiUrl } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  // Before anything starts: a multi-user app without containment refuses here.
  const isolation = chooseIsolation(config, { logger: logging.sandbox });
  const anomalies = new AnomalyLog({ filename: path.join(config.logDir, 'anomalies.jsonl') });
  const pending = new Set<Promise<unknown>>();
  const context: RunnerContext = {
    config,
    logging,
    runner: new ServiceRunner({
      sandboxesDir: config.sandboxesDir,
      logger: logging.sandbox,
      // The app collects each answer's logs itself, bounded (services/answer-bounds.ts): the runner keeps none.
      logsLevel: Number.MAX_SAFE_INTEGER,
      timeoutMs: config.runTimeoutMs,
      isolation,
      restart: config.restart,
      ...(config.network !== null ? { network: config.network } : {}),
      ...(Object.keys(config.limits).length > 0 ? { limits: config.limits } : {}),
    }),
    registry,
    hub: new LiveHub(config.sseHistoryLines, 500, config.sseHistoryBytes),
    policy: new SecurityPolicy({
      logger: logging.security,
      anomalies,
      rateLimitPerMinute: config.rateLimitPerMinute,
      rateLimitBurst: config.rateLimitBurst,
      maxServicesPerUser: config.maxServicesPerUser,
    }),
    anomalies,
    accepting: true,
    runs: { success: 0, failure: 0, denied: 0, died: 0, restarted: 0, gaveUp: 0 },
    sseClients: 0,
    sse: { byUser: new Map(), connections: new Set() },
    metrics: null as unknown as RunnerContext['metrics'],
    drops: new DropCounter(),
    authFailures: null as unknown as AuthFailureLog,
    track(work) {
      pending.add(work);
      void work.finally(() => pending.delete(work)).catch(() => undefined);
      return work;
    },
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
  const authFailures = new AuthFailureLog({
    policy: context.policy,
    drops: context.drops,
    perWindow: config.authFailureLinesPerMinute,
  });
  context.authFailures = authFailures;
  if (logging.console) context.drops.track('console_backpressure', () => logging.console?.dropped ?? 0);
  context.metrics = createMetrics(context);
  const unwire = wireRunnerEvents(context);

  // Typed as a plain instance: routes need only the base logger methods.
  const fastify = Fastify({
    loggerInstance: logging.http,
    // One DEBUG line per request (onResponse below) instead of Fastify's two INFO lines.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 2 * 1024 * 1024,
    // Bodies are checked as sent: a string is not a port. Params and query strings are strings anyway.
    ajv: { customOptions: { coerceTypes: false }, plugins: [maxBytesKeyword] },
  }) as unknown as FastifyInstance;
  fastify.decorateRequest('caller', null as unknown as Caller);
  fastify.addHook('onRequest', async (request, reply) => {
    const pathname = request.url.split('?')[0]!;
    const result = authenticate(request.headers.authorization, config.apiTokens);
    if (result.ok) {
      request.caller = result.caller;
      return;
    }
    if (PUBLIC_PATHS.has(pathname)) {
      request.caller = { userId: 'anonymous', authenticated: false };
      return;
    }
    authFailures.record(request.method, pathname, result.message, request.ip);
    return reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send({ success: false, error: 'unauthorized', message: result.message });
  });
  fastify.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      `${request.method} ${quoteUserText(request.url)} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`,
    );
  });
  fastify.setErrorHandler(
    (
      error: Error & { statusCode?: number; validation?: SchemaError[]; validationContext?: string },
      request,
      reply,
    ) => {
      const status = error.statusCode ?? 500;
      if (status >= 500) {
        request.log.error({ err: error }, `${request.method} ${request.url} failed`);
        return reply
          .code(status)
          .send({ success: false, error: 'internal_error', message: 'internal error (see the server log)' });
      }
      const first = error.validation?.[0];
      if (first) {
        const field = failedField(error.validationContext, first);
        return reply
          .code(400)
          .send({ success: false, error: 'invalid_request', field, message: failureMessage(field, first) });
      }
      // The body parser's own errors (not JSON, too large, unsupported type) concern the body.
      return reply
        .code(status)
        .send({ success: false, error: 'invalid_request', message: `body ${error.message.replace(/^Body /i, '')}` });
    },
  );

  await fastify.register(runRoutes, { ctx: context });
  await fastify.register(serviceRoutes, { ctx: context });
  await fastify.register(logRoutes, { ctx: context });
  await fastify.register(metaRoutes, { ctx: context });
  await fastify.register(pageRoutes, { webDir: options.webDir ?? WEB_DIR });

  let shutdown: Promise<void> | null = null;
  return {
    fastify,
    context,
    logging,
    async listen() {
      try {
        await fastify.listen({ host: config.host, port: config.port });
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'EADDRINUSE') {
          throw new Error(
            `[@pactown/example-runner] port ${config.port} on ${config.host} is already in use; stop the other process or set PACTOWN_PORT to a free port (0 picks one)`,
            { cause: error },
          );
        }
        if (code === 'EACCES') {
          throw new Error(
            `[@pactown/example-runner] not allowed to listen on port ${config.port}; use a port above 1023 (PACTOWN_PORT)`,
            { cause: error },
          );
        }
        throw error;
      }
      const address = fastify.server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    },
    shutdown(reason = 'shutdown') {
      shutdown ??= (async () => {
        context.accepting = false;
        logging.root.info(`Shutting down (${reason}): stopping ${registry.counts().running} service(s)`);
        context.hub.closeAll();
        // Services stopped here are not deaths: mark them before the runner ends them.
        for (const entry of registry.list())
          if (entry.status === 'running' || entry.status === 'restarting')
            registry.update(entry.serviceId, { status: 'stopping' });
        // Stopping the services first also ends runs still in flight, so closing the server does not wait on them.
        await context.runner.close();
        for (const entry of registry.list())
          if (entry.status === 'stopping') registry.update(entry.serviceId, { status: 'stopped' });
        await fastify.close().catch(() => undefined);
        unwire();
        await context.settle();
        authFailures.flush();
        await anomalies.flush();
        logging.root.info('Shutdown complete: logs flushed');
        await logging.close();
        reportLeftOut(context, logging);
      })();
      return shutdown;
    },
  };
}
