/**
 * The aggregate log: every sandbox record in `{logDir}/sandbox.log`, rotated,
 * in the seed's pattern format (the seed's `sandbox.log  # All sandbox_manager logs`).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  DEFAULT_PATTERN,
  type Handler,
  type LevelInput,
  patternFormatter,
  rotatingFileHandler,
} from '@pactown/log-core';
import { defineOptions } from '@pactown/options';
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

/** The options of {@link sandboxLogHandler}, named once. */
export const SANDBOX_LOG_OPTIONS = defineOptions({
  pkg: '@pactown/error-files',
  prefix: 'PACTOWN_ERRORS',
  options: {
    logDir: {
      kind: 'text',
      default: defaultLogDir,
      defaultText: '`$PACTOWN_LOG_DIR` or `{os tmp}/pactown-logs`',
      doc: 'folder of the log (created `0700`)',
    },
    filename: {
      kind: 'text',
      default: 'sandbox.log',
      want: 'a plain file name',
      check: (v: string) => (path.basename(v) === v && v !== '.' && v !== '..' ? undefined : 'a plain file name'),
      doc: 'file name inside `logDir`',
    },
    maxBytes: {
      kind: 'integer',
      min: 0,
      default: 10 * 1024 * 1024,
      defaultText: '`10485760` (10 MiB)',
      doc: 'rotate when the file would grow past this',
    },
    backupCount: { kind: 'integer', min: 0, default: 5, doc: 'rotated files kept (`sandbox.log.1` ...)' },
    level: {
      kind: 'any',
      default: 'DEBUG',
      defaultText: "`'DEBUG'`",
      doc: 'minimum level (a log-core level name or number)',
    },
    pattern: {
      kind: 'string',
      default: DEFAULT_PATTERN,
      defaultText: "log-core's `DEFAULT_PATTERN`",
      doc: 'line format (Python `logging` style)',
    },
    datefmt: { kind: 'string', doc: '`strftime`-style date format for `%(asctime)s`' },
  },
});

/**
 * A log-core rotating file handler for `{logDir}/sandbox.log` with the seed's
 * pattern. Add it to the `pactown` logger (`getLogger('pactown').addHandler(h)`).
 */
export function sandboxLogHandler(options: SandboxLogHandlerOptions = {}): Handler {
  const o = SANDBOX_LOG_OPTIONS.parse(options, 'sandboxLogHandler options') as Required<
    Omit<SandboxLogHandlerOptions, 'datefmt'>
  > & { datefmt?: string };
  const dir = path.resolve(o.logDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const formatter = patternFormatter(o.pattern, o.datefmt === undefined ? {} : { datefmt: o.datefmt });
  return rotatingFileHandler({
    filename: path.join(dir, o.filename),
    maxBytes: o.maxBytes,
    backupCount: o.backupCount,
    level: o.level,
    formatter,
  });
}
