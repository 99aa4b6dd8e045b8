import { CODES, coreError } from '../codes.js';
import { once } from 'node:events';
import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput } from '../types.js';
import { type BackpressureOptions, normalizeBackpressure } from './stream-options.js';
import { StreamWriter } from './stream-writer.js';
import { checkKeys, KNOWN } from '../known-options.js';

/** The part of a writable stream a stream handler uses. */
export interface WritableLike {
  /** Returning false asks the caller to wait for `'drain'` (Node's backpressure). */
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  /** With it, the handler waits for `'drain'` after `write()` returns false; without it, only `writableLength` bounds the backlog. */
  once?(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener?(event: 'drain' | 'close', listener: () => void): unknown;
  destroyed?: boolean;
  writableEnded?: boolean;
  writableLength?: number;
}

/** Options of {@link streamHandler}. */
export interface StreamHandlerOptions extends BackpressureOptions {
  /** Where lines go. */
  stream: WritableLike;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
  /** Name in error reports. @default 'stream' */
  name?: string;
  /** End the stream on `close()`. @default false */
  end?: boolean;
}

/** A stream or console handler: a {@link ManagedHandler} that also counts lines dropped for a slow reader. */
export interface StreamHandler extends ManagedHandler {
  /** Lines dropped because the stream was not read fast enough (see `maxPendingBytes`). Not part of `errors`. */
  readonly dropped: number;
  /** Bytes of lines held for the stream right now (at most `maxPendingBytes`). */
  readonly pendingBytes: number;
}

/**
 * Python's `StreamHandler`: one line per record to any writable stream,
 * honouring backpressure: while the stream asks to wait, at most
 * `maxPendingBytes` of lines are held; what does not fit is dropped, counted in
 * `dropped` and reported on stderr.
 */
export function streamHandler(options: StreamHandlerOptions): StreamHandler {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid stream handler options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.stream, 'streamHandler()');
  const stream = options.stream;
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option stream: ${String(stream)}; expected a writable stream.`,
    );
  }
  const settings = normalizeBackpressure(options);
  const name = options.name ?? 'stream';
  const writer = new StreamWriter(stream, { ...settings, name, onLost: (error, lines) => handler.fail(error, lines) });
  stream.on?.('error', (error: Error) => handler.fail(error));
  const handler = createHandler({
    name,
    level: options.level,
    formatter: options.formatter,
    emit(line) {
      if (stream.destroyed === true || stream.writableEnded === true)
        throw coreError(CODES.STREAM_CLOSED, 'the stream is closed', Error);
      writer.write(`${line}\n`);
    },
    async flush() {
      if (!(await writer.drained(settings.flushTimeoutMs))) return;
      if (!stream.writableLength || stream.destroyed) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, settings.flushTimeoutMs);
        stream.write('', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    flushSync() {
      writer.release();
    },
    async close() {
      writer.release();
      const s = stream as WritableLike & { end?: () => void };
      if (options.end === true && typeof s.end === 'function' && !s.writableEnded) {
        s.end();
        if (typeof (s as { once?: unknown }).once === 'function') {
          await once(s as unknown as NodeJS.EventEmitter, 'finish').catch(() => undefined);
        }
      }
    },
  });
  return Object.defineProperties(handler, {
    dropped: { get: () => writer.dropped, enumerable: true },
    pendingBytes: { get: () => writer.pendingBytes, enumerable: true },
  }) as StreamHandler;
}

/** Options of {@link consoleHandler}. */
export interface ConsoleHandlerOptions extends BackpressureOptions {
  /** `'stderr'` (Python's default), `'stdout'`, or a stream. @default 'stderr' */
  stream?: 'stderr' | 'stdout' | WritableLike;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
}

/** A stream handler on the process's stderr (or stdout), with the same bounded backlog. */
export function consoleHandler(options: ConsoleHandlerOptions = {}): StreamHandler {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid console handler options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.console, 'consoleHandler()');
  const which = options.stream ?? 'stderr';
  if (which !== 'stderr' && which !== 'stdout' && (which === null || typeof which !== 'object')) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option stream: ${String(which)}; expected 'stderr', 'stdout' or a stream.`,
    );
  }
  // Resolved per call: tests and CLIs may replace process.stdout/stderr after the handler exists.
  const current = () => (which === 'stdout' ? process.stdout : process.stderr);
  const target: WritableLike =
    typeof which === 'object'
      ? which
      : {
          write: (chunk, cb) => current().write(chunk, cb),
          once: (event, listener) => current().once(event, listener),
          removeListener: (event, listener) => current().removeListener(event, listener),
          get destroyed() {
            return current().destroyed;
          },
          get writableLength() {
            return current().writableLength;
          },
        };
  return streamHandler({ ...options, stream: target, name: `console:${typeof which === 'string' ? which : 'stream'}` });
}
