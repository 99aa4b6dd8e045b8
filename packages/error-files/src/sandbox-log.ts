/**
 * The aggregate log: every sandbox record in `{logDir}/sandbox.log`, rotated,
 * in the seed's pattern format (the seed's `sandbox.log  # All sandbox_manager logs`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PATTERN, type Handler, type LevelInput, patternFormatter, rotatingFileHandler } from '@pactown/log-core';
import { defaultLogDir } from './paths.js';

/** Options of {@link sandboxLogHandler}. */
export interface SandboxLogHandlerOptions {
  /** Folder of the log (created `0700`). @default `$PACTOWN_LOG_DIR` or `{os tmp}/pactown-logs` */
  logDir?: string;
  /** File name inside `logDir`. @default 'sandbox.log' */
  filename?: string;
  /** Rotate when the file would grow past this many bytes. @default 10485760 (10 MiB) */
  maxBytes?: number;
  /** Rotated files kept (`sandbox.log.1` ...). @default 5 */
  backupCount?: number;
  /** Minimum level. @default 'DEBUG' */
  level?: LevelInput;
  /** Line format (Python `logging` style). @default log-core's `DEFAULT_PATTERN`, `'%(asctime)s [%(levelname)s] %(name)s: %(message)s'` */
  pattern?: string;
  /** `strftime`-style date format for `%(asctime)s`. @default log-core's default */
  datefmt?: string;
}

function positiveInt(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new TypeError(`[@pactown/error-files] Option "${name}" must be a non-negative integer, got ${String(value)}.`);
  }
  return value;
}

/**
 * A log-core rotating file handler for `{logDir}/sandbox.log` with the seed's
 * pattern. Add it to the `pactown` logger (`getLogger('pactown').addHandler(h)`).
 */
export function sandboxLogHandler(options: SandboxLogHandlerOptions = {}): Handler {
  const o = Object.assign(Object.create(null), options) as SandboxLogHandlerOptions;
  const filename = o.filename ?? 'sandbox.log';
  if (typeof filename !== 'string' || filename === '' || path.basename(filename) !== filename) {
    throw new TypeError(`[@pactown/error-files] Option "filename" must be a plain file name, got ${JSON.stringify(filename)}.`);
  }
  if (o.pattern !== undefined && typeof o.pattern !== 'string') throw new TypeError(`[@pactown/error-files] Option "pattern" must be a string, got ${String(o.pattern)}.`);
  const dir = path.resolve(o.logDir ?? defaultLogDir());
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const formatter = patternFormatter(o.pattern ?? DEFAULT_PATTERN, o.datefmt === undefined ? {} : { datefmt: o.datefmt });
  return rotatingFileHandler({
    filename: path.join(dir, filename),
    maxBytes: positiveInt('maxBytes', o.maxBytes, 10 * 1024 * 1024),
    backupCount: positiveInt('backupCount', o.backupCount, 5),
    level: o.level ?? 'DEBUG',
    formatter,
  });
}
