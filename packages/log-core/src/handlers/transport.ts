import { CODES, coreError } from '../codes.js';
import pino from 'pino';
import { ndjsonFormatter } from '../formatters/json.js';
import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput } from '../types.js';
import { checkKeys, KNOWN } from '../known-options.js';

/** Options of {@link transportHandler}. */
export interface TransportHandlerOptions {
  /** A pino transport target: a package name (`'pino/file'`, `'@pactown/loki-transport'`) or an absolute path/URL. */
  target: string;
  /** Options for the target, passed to the worker thread (must be structured-cloneable). @default {} */
  options?: Record<string, unknown>;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** What the worker receives. @default ndjsonFormatter() (pino's own line shape) */
  formatter?: Formatter;
}

interface ThreadStreamLike {
  write(chunk: string): boolean;
  flush(cb: (error?: Error) => void): void;
  flushSync(): void;
  end(): void;
  on(event: string, listener: (...args: any[]) => void): unknown;
  once(event: string, listener: (...args: any[]) => void): unknown;
  closed?: boolean;
}

/**
 * Any pino transport target, run in pino's worker thread. Records are sent as
 * pino NDJSON lines; `flush()` waits for the worker's destination, `close()`
 * ends the worker after everything is written.
 */
export function transportHandler(options: TransportHandlerOptions): ManagedHandler {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid transport handler options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.transport, 'transportHandler()');
  if (typeof options.target !== 'string' || options.target === '') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option target: ${String(options.target)}; expected a module name or path.`,
    );
  }
  if (options.options !== undefined && (options.options === null || typeof options.options !== 'object')) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option options: ${String(options.options)}; expected an object.`,
    );
  }
  const stream = pino.transport({
    target: options.target,
    options: options.options ?? {},
  }) as unknown as ThreadStreamLike;
  let ended = false;
  let broken: Error | undefined;
  stream.on('error', (error: Error) => {
    broken = error;
    handler.fail(error);
  });
  const handler = createHandler({
    name: `transport:${options.target}`,
    level: options.level,
    formatter: options.formatter ?? ndjsonFormatter(),
    emit(line) {
      if (broken !== undefined) throw broken;
      stream.write(`${line}\n`);
    },
    flush: () =>
      new Promise<void>((resolve) => {
        if (ended || broken !== undefined) return resolve();
        stream.flush((error) => {
          if (error) handler.fail(error, 0);
          resolve();
        });
      }),
    flushSync: () => {
      if (!ended && broken === undefined) stream.flushSync();
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ended) return resolve();
        ended = true;
        stream.once('close', () => resolve());
        stream.once('error', () => resolve());
        stream.end();
      }),
  });
  return handler;
}
