import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getLogger } from '@pactown/log-core';
import winston from 'winston';
import type { LokiOptions } from '../src/index.js';
import { lokiHandler } from '../src/log-core.js';
import { LokiTransport } from '../src/winston.js';
import type { Face, Level } from './conformance.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const CLI = path.join(here, '..', 'dist', 'cli.js');
export const PINO_APP = path.join(here, 'fixtures', 'pino-app.mjs');
const PINO_LEVEL: Record<Level, number> = { debug: 20, info: 30, warning: 40, error: 50, critical: 60 };

/** pino with the package as its worker-thread transport, in an app process of its own (thread-stream's end() blocks the main thread). */
export async function pinoFace(options: LokiOptions): Promise<Face> {
  const child = spawn(process.execPath, [PINO_APP, JSON.stringify(options), 'stdin'], {
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const send = (cmd: Record<string, unknown>) => child.stdin.write(`${JSON.stringify(cmd)}\n`);
  const method: Record<Level, string> = {
    debug: 'debug',
    info: 'info',
    warning: 'warn',
    error: 'error',
    critical: 'fatal',
  };
  return {
    log: (level, name, msg, fields = {}) => send({ op: 'log', level: method[level], name, msg, fields }),
    logError: (name, msg, err) => send({ op: 'error', name, msg, type: err.name, message: err.message }),
    async end() {
      const exited = once(child, 'exit');
      send({ op: 'end' });
      const [code] = await exited;
      if (code !== 0) throw new Error(`pino app exited with ${code}`);
    },
  };
}

/** winston with the package's transport. */
export async function winstonFace(options: LokiOptions): Promise<Face> {
  const { format, ...rest } = options;
  const transport = new LokiTransport({ ...rest, lineFormat: format });
  const logger = winston.createLogger({
    levels: { critical: 0, error: 1, warning: 2, info: 3, debug: 4 },
    level: 'debug',
    transports: [transport],
  });
  return {
    log: (level, name, message, fields = {}) => logger.log({ level, message, logger: name, ...fields }),
    logError: (name, message, err) =>
      logger.log({
        level: 'error',
        message,
        logger: name,
        err: { type: err.name, message: err.message, stack: err.stack },
      }),
    async end() {
      await transport.close();
      logger.close();
    },
  };
}

/** log-core's named loggers with the package's handler on the `pactown` logger. */
export async function logCoreFace(options: LokiOptions): Promise<Face> {
  const handler = lokiHandler(options);
  const parent = getLogger('pactown');
  parent.setLevel('DEBUG');
  parent.propagate = false;
  parent.addHandler(handler);
  return {
    log: (level, logger, msg, fields = {}) => getLogger(logger)[level](fields, msg),
    logError: (logger, msg, err) => getLogger(logger).error({ err }, msg),
    async end() {
      await handler.close();
      parent.removeHandler(handler);
    },
  };
}

/** The CLI fed pino NDJSON on stdin. */
export async function cliFace(options: LokiOptions): Promise<Face> {
  const args = [CLI, '--url', options.url, '--quiet'];
  for (const [k, v] of Object.entries(options.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (options.batchWait) args.push('--batch-wait', String(options.batchWait));
  if (options.wire) args.push('--wire', options.wire);
  if (options.gzip) args.push('--gzip');
  if (options.format) args.push('--format', options.format);
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'inherit', 'inherit'] });
  const write = (obj: Record<string, unknown>) =>
    child.stdin.write(`${JSON.stringify({ time: Date.now(), pid: child.pid, hostname: 'h', ...obj })}\n`);
  return {
    log: (level, name, msg, fields = {}) => write({ level: PINO_LEVEL[level], name, msg, ...fields }),
    logError: (name, msg, err) =>
      write({ level: 50, name, msg, err: { type: err.name, message: err.message, stack: err.stack } }),
    async end() {
      const exited = once(child, 'exit');
      child.stdin.end();
      const [code] = await exited;
      if (code !== 0) throw new Error(`pactown-loki exited with ${code}`);
    },
  };
}
