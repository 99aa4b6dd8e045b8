import { once } from 'node:events';
import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput } from '../types.js';

/** The part of a writable stream a stream handler uses. */
export interface WritableLike {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  on?(event: 'error', listener: (error: Error) => void): unknown;
  destroyed?: boolean;
  writableEnded?: boolean;
  writableLength?: number;
}

/** Options of {@link streamHandler}. */
export interface StreamHandlerOptions {
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

/** Python's `StreamHandler`: one line per record to any writable stream. */
export function streamHandler(options: StreamHandlerOptions): ManagedHandler {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`[@pactown/log-core] Invalid stream handler options: ${String(options)}; expected an object.`);
  }
  const stream = options.stream;
  if (stream === null || typeof stream !== 'object' || typeof stream.write !== 'function') {
    throw new TypeError(`[@pactown/log-core] Invalid option stream: ${String(stream)}; expected a writable stream.`);
  }
  stream.on?.('error', (error: Error) => handler.fail(error));
  const handler = createHandler({
    name: options.name ?? 'stream',
    level: options.level,
    formatter: options.formatter,
    emit(line) {
      if (stream.destroyed === true || stream.writableEnded === true) throw new Error('the stream is closed');
      stream.write(`${line}\n`);
    },
    async flush() {
      if (!stream.writableLength || stream.destroyed) return;
      await new Promise<void>((resolve) => {
        stream.write('', () => resolve());
      });
    },
    async close() {
      const s = stream as WritableLike & { end?: () => void };
      if (options.end === true && typeof s.end === 'function' && !s.writableEnded) {
        s.end();
        if (typeof (s as { once?: unknown }).once === 'function') {
          await once(s as unknown as NodeJS.EventEmitter, 'finish').catch(() => undefined);
        }
      }
    },
  });
  return handler;
}

/** Options of {@link consoleHandler}. */
export interface ConsoleHandlerOptions {
  /** `'stderr'` (Python's default), `'stdout'`, or a stream. @default 'stderr' */
  stream?: 'stderr' | 'stdout' | WritableLike;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
}

/** A stream handler on the process's stderr (or stdout). */
export function consoleHandler(options: ConsoleHandlerOptions = {}): ManagedHandler {
  const which = options.stream ?? 'stderr';
  if (which !== 'stderr' && which !== 'stdout' && (which === null || typeof which !== 'object')) {
    throw new TypeError(`[@pactown/log-core] Invalid option stream: ${String(which)}; expected 'stderr', 'stdout' or a stream.`);
  }
  // Resolved per write: tests and CLIs may replace process.stdout/stderr after the handler exists.
  const target: WritableLike =
    typeof which === 'object'
      ? which
      : {
          write: (chunk, cb) => (which === 'stdout' ? process.stdout : process.stderr).write(chunk, cb),
          get writableLength() {
            return (which === 'stdout' ? process.stdout : process.stderr).writableLength;
          },
        };
  return streamHandler({ stream: target, level: options.level, formatter: options.formatter, name: `console:${typeof which === 'string' ? which : 'stream'}` });
}
