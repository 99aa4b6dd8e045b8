/**
 * Options for writing error files, normalized in one place: defaults applied,
 * every value checked, a `TypeError` naming the option for a bad one.
 */
import { defineOptions } from '@pactown/options';
import type { ErrorFilesFs } from './fs.js';
import { defaultLogDir } from './paths.js';

/** Options of {@link writeErrorFile} and {@link prepareReport}. */
export interface WriteErrorFileOptions {
  /** Folder of the error files. @default `$PACTOWN_LOG_DIR` or `{os tmp}/pactown-logs` */
  logDir?: string;
  /** Bytes kept from the end of stderr and of stdout, each. @default 65536 */
  tailBytes?: number;
  /** File names listed in the FILES section; the rest are counted. @default 200 */
  maxFiles?: number;
  /** Largest file written, in bytes; tails are cut further to fit. At least 65536. @default 262144 */
  maxFileBytes?: number;
  /** Earlier files kept as `.1` ... `.N`. @default 5 */
  history?: number;
  /** When set, the oldest error files in the folder are removed until their total size is at most this. @default undefined (no cap) */
  maxFolderBytes?: number;
  /** Remove ANSI colour codes and other terminal escapes. @default true */
  stripAnsi?: boolean;
  /**
   * Mask secrets once, as the report enters, with log-core's configured
   * engine, then `redactPatterns`. `false` when its producer masked the text
   * already (sandbox's died report). A function replaces both. @default true
   */
  redact?: boolean | ((text: string) => string);
  /** Extra patterns whose matches are masked. @default [] */
  redactPatterns?: RegExp[];
  /** fsync the file and the folder before resolving (survives a power loss; slower). @default false */
  durable?: boolean;
  /** How long to wait for another process writing the same service's file, in ms. @default 10000 */
  lockTimeoutMs?: number;
  /** The file system calls used (for tests and unusual platforms). @default node:fs/promises */
  fs?: ErrorFilesFs;
}

export interface NormalizedOptions {
  logDir: string;
  tailBytes: number;
  maxFiles: number;
  maxFileBytes: number;
  history: number;
  maxFolderBytes: number | undefined;
  stripAnsi: boolean;
  redact: boolean | ((text: string) => string);
  redactPatterns: RegExp[];
  durable: boolean;
  lockTimeoutMs: number;
  fs: ErrorFilesFs | undefined;
}

/**
 * Every option of {@link writeErrorFile}, named once: kind, default, README
 * text. Unknown keys are a `TypeError` with code `PACTOWN_ERRORS_UNKNOWN_OPTION`
 * naming the nearest valid key; bad values `PACTOWN_ERRORS_INVALID_OPTION`.
 */
export const WRITE_OPTIONS = defineOptions({
  pkg: '@pactown/error-files',
  prefix: 'PACTOWN_ERRORS',
  options: {
    logDir: {
      kind: 'text',
      default: defaultLogDir,
      defaultText: '`$PACTOWN_LOG_DIR` or `{os tmp}/pactown-logs`',
      doc: 'folder of the files',
      want: 'a non-empty path',
      check: (v: string) => (v.includes('\0') ? 'a non-empty path without NUL' : undefined),
    },
    tailBytes: {
      kind: 'integer',
      min: 0,
      default: 65_536,
      doc: 'bytes kept from the end of stderr and of stdout, each',
    },
    maxFiles: { kind: 'integer', min: 0, default: 200, doc: 'names listed in FILES; the rest are counted' },
    maxFileBytes: { kind: 'integer', min: 65_536, default: 262_144, doc: 'largest file; tails are cut further to fit' },
    history: { kind: 'integer', min: 0, max: 1000, default: 5, doc: 'earlier files kept as `.1` ... `.N`' },
    maxFolderBytes: {
      kind: 'integer',
      min: 0,
      defaultText: 'none',
      doc: "remove the oldest error files until the folder's error files total at most this",
    },
    stripAnsi: { kind: 'boolean', default: true, doc: 'remove terminal escape sequences' },
    redact: {
      kind: 'any',
      default: true,
      defaultText: '`true`',
      want: 'a boolean or a function',
      check: (v: unknown) =>
        typeof v === 'boolean' || typeof v === 'function' ? undefined : 'a boolean or a function',
      doc: "mask once, on entry, with log-core's configured engine, then `redactPatterns`; `false` when the producer masked the text already (sandbox's died report), or a function of your own",
    },
    redactPatterns: {
      kind: 'any',
      default: () => [],
      defaultText: '`[]`',
      want: 'an array of RegExp',
      check: (v: unknown) =>
        Array.isArray(v) && v.every((p) => p instanceof RegExp) ? undefined : 'an array of RegExp',
      doc: 'extra `RegExp`s whose matches are masked',
    },
    durable: { kind: 'boolean', default: false, doc: 'fsync file and folder before resolving' },
    lockTimeoutMs: {
      kind: 'integer',
      min: 0,
      default: 10_000,
      doc: 'wait for another process writing the same service',
    },
    fs: { kind: 'object', defaultText: '`node:fs`', doc: 'the file-system calls used (tests, unusual platforms)' },
  },
});

/** Applies defaults and validates; throws a coded `TypeError` for an unknown or bad option. */
export function normalizeOptions(input: WriteErrorFileOptions | undefined): NormalizedOptions {
  const o = WRITE_OPTIONS.parse(input, 'writeErrorFile options') as NormalizedOptions;
  return { ...o, maxFolderBytes: o.maxFolderBytes, fs: o.fs };
}
