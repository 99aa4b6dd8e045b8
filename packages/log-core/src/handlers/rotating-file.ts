import { CODES, coreError } from '../codes.js';
import fs from 'node:fs';
import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput } from '../types.js';
import { checkFilename, checkMaxPending, sinkEvents } from './file.js';
import { FileSink } from './file-sink.js';
import { checkKeys, KNOWN } from '../known-options.js';

/** Options of {@link rotatingFileHandler}. */
export interface RotatingFileHandlerOptions {
  /** The active file; it keeps this name, older content moves to `.1` ... `.N`. */
  filename: string;
  /** Roll over before a write that would make the file reach this size; 0 never rolls over. */
  maxBytes: number;
  /** How many old files to keep (`.1` newest ... `.N` oldest); 0 never rolls over (as Python). */
  backupCount: number;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
  /** Bytes that may wait for the disk; past it new records are dropped, counted (code `FILE_BEHIND`). @default 16777216 (16 MiB) */
  maxPendingBytes?: number;
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option ${name}: ${String(value)}; expected an integer >= 0.`,
    );
  }
  return value;
}

/**
 * Python's `RotatingFileHandler`. The size is counted as lines are accepted, so
 * rollover is decided synchronously: the old file is renamed while its writer
 * drains into it (the descriptor follows the rename), and new lines go to a
 * fresh file under the original name. No line is split between files. As in
 * Python, `maxBytes: 0` or `backupCount: 0` never rolls over. A file moved
 * away by someone else is reopened under its name, as by the file handler.
 */
export function rotatingFileHandler(options: RotatingFileHandlerOptions): ManagedHandler {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid rotating file handler options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.rotatingFile, 'rotatingFileHandler()');
  const filename = checkFilename(options.filename);
  const maxBytes = checkCount('maxBytes', options.maxBytes);
  const backupCount = checkCount('backupCount', options.backupCount);
  const sink = new FileSink(
    filename,
    sinkEvents(() => handler),
    checkMaxPending(options.maxPendingBytes),
  );
  const rolls = maxBytes > 0 && backupCount > 0;

  const rollover = (): void => {
    // Lines accepted before the rollover belong to the old file: hand them over before renaming.
    sink.push();
    for (let i = backupCount - 1; i >= 1; i--) renameIfExists(`${filename}.${i}`, `${filename}.${i + 1}`);
    renameIfExists(filename, `${filename}.1`);
    sink.open();
  };

  const handler: ManagedHandler = createHandler({
    name: `rotating-file:${filename}`,
    level: options.level,
    formatter: options.formatter,
    emit(line) {
      const text = `${line}\n`;
      const bytes = Buffer.byteLength(text);
      if (rolls) {
        sink.ensureOpen();
        if (sink.isOpen && sink.size > 0 && sink.size + bytes >= maxBytes) rollover();
      }
      sink.write(text, bytes);
    },
    flush: () => sink.flush(),
    flushSync: () => sink.flushSync(),
    close: () => sink.close(),
  });
  return handler;
}

function renameIfExists(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
