import { CODES, coreError } from '../codes.js';
import path from 'node:path';
import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput } from '../types.js';
import { DEFAULT_FILE_MAX_PENDING_BYTES, FileSink } from './file-sink.js';
import { checkKeys, KNOWN } from '../known-options.js';

/** Options of {@link fileHandler}. */
export interface FileHandlerOptions {
  /** File to append to; its folder is created if missing. */
  filename: string;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
  /** Bytes that may wait for the disk (accepted, not yet written); past it new records are dropped, counted in `errors` (code `FILE_BEHIND`). @default 16777216 (16 MiB) */
  maxPendingBytes?: number;
}

/** Validates a file handler's `maxPendingBytes`. */
export function checkMaxPending(value: unknown): number {
  if (value === undefined) return DEFAULT_FILE_MAX_PENDING_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option maxPendingBytes: ${String(value)}; expected an integer >= 0.`,
    );
  }
  return value;
}

/** Validates a `filename` option and makes it absolute. */
export function checkFilename(filename: unknown): string {
  if (typeof filename !== 'string' || filename === '') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option filename: ${String(filename)}; expected a non-empty path.`,
    );
  }
  return path.resolve(filename);
}

/** The events a file sink reports, wired to a handler's counting and state. */
export function sinkEvents(handler: () => ManagedHandler) {
  // One error per kind, made on first use: a disk that stays behind drops many records, and an
  // Error (with its stack) per record cost more than the records themselves.
  let backoff: Error | undefined;
  let behind: Error | undefined;
  return {
    failed(error: Error, lost: number, degraded: boolean) {
      handler().fail(error, lost);
      if (degraded) handler().degrade(error);
    },
    recovered: () => handler().recover(),
    dropped: (lost: number) =>
      handler().fail(
        (backoff ??= coreError(CODES.FILE_BACKOFF, 'the file is failing; waiting to try again', Error)),
        lost,
      ),
    behind: (lost: number) =>
      handler().fail(
        (behind ??= coreError(
          CODES.FILE_BEHIND,
          'the disk does not keep up; records are dropped until it catches up',
          Error,
        )),
        lost,
      ),
  };
}

/**
 * Python's `FileHandler` with `WatchedFileHandler`'s reopening: appends one
 * line per record (asynchronously, through sonic-boom), creating the folder,
 * and opens the file again when its path names another file or none
 * (logrotate, a deleted folder). A failing disk degrades it; it recovers on its own.
 */
export function fileHandler(options: FileHandlerOptions): ManagedHandler {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid file handler options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.file, 'fileHandler()');
  const filename = checkFilename(options.filename);
  const maxPending = checkMaxPending(options.maxPendingBytes);
  // Opened on the first record (not at creation), synchronously so that an exit right after still finds the file.
  const sink = new FileSink(
    filename,
    sinkEvents(() => handler),
    maxPending,
  );
  const handler: ManagedHandler = createHandler({
    name: `file:${filename}`,
    level: options.level,
    formatter: options.formatter,
    emit(line) {
      const text = `${line}\n`;
      sink.write(text, text.length);
    },
    flush: () => sink.flush(),
    flushSync: () => sink.flushSync(),
    close: () => sink.close(),
  });
  return handler;
}
