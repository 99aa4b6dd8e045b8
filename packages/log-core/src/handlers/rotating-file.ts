import fs from 'node:fs';
import type SonicBoom from 'sonic-boom';
import { createHandler, type ManagedHandler } from '../handler.js';
import type { Formatter, LevelInput } from '../types.js';
import { LineBatch } from './batch.js';
import { drained, endBoom, flushBoomSync, openBoomNow } from './boom.js';
import { checkFilename } from './file.js';

/** Options of {@link rotatingFileHandler}. */
export interface RotatingFileHandlerOptions {
  /** The active file; it keeps this name, older content moves to `.1` ... `.N`. */
  filename: string;
  /** Roll over before a write that would make the file reach this size; 0 never rolls over. */
  maxBytes: number;
  /** How many old files to keep (`.1` newest ... `.N` oldest); 0 keeps none but still truncates by rollover. */
  backupCount: number;
  /** Minimum level. @default 'NOTSET' */
  level?: LevelInput;
  /** @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`[@pactown/log-core] Invalid option ${name}: ${String(value)}; expected an integer >= 0.`);
  }
  return value;
}

/**
 * Python's `RotatingFileHandler`. The size is counted as lines are accepted, so
 * rollover is decided synchronously: the old file is renamed while its writer
 * drains into it (the descriptor follows the rename), and new lines go to a
 * fresh file under the original name. No line is split between files.
 */
export function rotatingFileHandler(options: RotatingFileHandlerOptions): ManagedHandler {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`[@pactown/log-core] Invalid rotating file handler options: ${String(options)}; expected an object.`);
  }
  const filename = checkFilename(options.filename);
  const maxBytes = checkCount('maxBytes', options.maxBytes);
  const backupCount = checkCount('backupCount', options.backupCount);
  let out: LineBatch | undefined;
  let size = 0;
  let broken: Error | undefined;
  const retiring = new Map<SonicBoom, Promise<void>>();
  const onError = (error: unknown) => {
    broken = error instanceof Error ? error : new Error(String(error));
    handler.fail(error);
  };

  const open = (): LineBatch => {
    const opened = openBoomNow(filename, onError);
    size = opened.size;
    return new LineBatch(opened.boom, onError);
  };

  const rollover = (current: LineBatch): void => {
    // Lines accepted before the rollover belong to the old file: hand them over before renaming.
    current.push();
    const old = current.boom;
    if (backupCount > 0) {
      for (let i = backupCount - 1; i >= 1; i--) renameIfExists(`${filename}.${i}`, `${filename}.${i + 1}`);
      renameIfExists(filename, `${filename}.1`);
    } else {
      fs.rmSync(filename, { force: true });
    }
    retiring.set(old, endBoom(old).finally(() => retiring.delete(old)));
    out = open();
  };

  const handler = createHandler({
    name: `rotating-file:${filename}`,
    level: options.level,
    formatter: options.formatter,
    emit(line) {
      if (broken !== undefined) throw broken;
      out ??= open();
      const text = `${line}\n`;
      const bytes = Buffer.byteLength(text);
      if (maxBytes > 0 && size > 0 && size + bytes >= maxBytes) rollover(out);
      size += bytes;
      out!.write(text);
    },
    async flush() {
      if (out !== undefined && broken === undefined) {
        out.push();
        await drained(out.boom);
      }
      await Promise.all(retiring.values());
    },
    flushSync: () => {
      for (const old of retiring.keys()) flushBoomSync(old);
      if (out === undefined) return;
      out.push();
      flushBoomSync(out.boom);
    },
    async close() {
      await Promise.all(retiring.values());
      if (out === undefined) return;
      out.push();
      await endBoom(out.boom, broken !== undefined);
    },
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
