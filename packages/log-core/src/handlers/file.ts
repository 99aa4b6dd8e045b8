import path from 'node:path';
import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput } from '../types.js';
import { LineBatch } from './batch.js';
import { drained, endBoom, flushBoomSync, openBoomNow } from './boom.js';

/** Options of {@link fileHandler}. */
export interface FileHandlerOptions {
  /** File to append to; its folder is created if missing. */
  filename: string;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
}

/** Validates a `filename` option and makes it absolute. */
export function checkFilename(filename: unknown): string {
  if (typeof filename !== 'string' || filename === '') {
    throw new TypeError(`[@pactown/log-core] Invalid option filename: ${String(filename)}; expected a non-empty path.`);
  }
  return path.resolve(filename);
}

/** Python's `FileHandler`: appends one line per record (asynchronously, through sonic-boom), creating the folder. */
export function fileHandler(options: FileHandlerOptions): ManagedHandler {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`[@pactown/log-core] Invalid file handler options: ${String(options)}; expected an object.`);
  }
  const filename = checkFilename(options.filename);
  let out: LineBatch | undefined;
  let broken: Error | undefined;
  const onError = (error: unknown) => {
    broken = error instanceof Error ? error : new Error(String(error));
    handler.fail(error);
  };
  const handler = createHandler({
    name: `file:${filename}`,
    level: options.level,
    formatter: options.formatter,
    emit(line) {
      if (broken !== undefined) throw broken;
      // Opened on the first record (not at creation), synchronously so that an exit right after still finds the file.
      out ??= new LineBatch(openBoomNow(filename, onError).boom, onError);
      out.write(`${line}\n`);
    },
    flush() {
      if (out === undefined || broken !== undefined) return;
      out.push();
      return drained(out.boom);
    },
    flushSync: () => {
      if (out === undefined) return;
      out.push();
      flushBoomSync(out.boom);
    },
    close() {
      if (out === undefined) return;
      out.push();
      return endBoom(out.boom, broken !== undefined);
    },
  });
  return handler;
}
