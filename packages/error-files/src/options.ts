/**
 * Options for writing error files, normalised in one place: defaults applied,
 * every value checked, a `TypeError` naming the option for a bad one.
 */
import { defaultLogDir } from './paths.js';
import type { ErrorFilesFs } from './fs.js';

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
   * Mask secrets: the built-in rules, `redactPatterns`, then log-core's
   * configured redaction. A function replaces all of them. @default true
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

const PREFIX = '[@pactown/error-files]';

function bad(name: string, value: unknown, want: string): TypeError {
  let shown: string;
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  } catch {
    shown = typeof value;
  }
  return new TypeError(`${PREFIX} Option "${name}" must be ${want}, got ${shown}.`);
}

function int(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(name, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw bad(name, value, 'a boolean');
  return value;
}

/** Applies defaults and validates; throws `TypeError` for a bad option. */
export function normalizeOptions(input: WriteErrorFileOptions | undefined): NormalizedOptions {
  if (input !== undefined && (input === null || typeof input !== 'object')) throw bad('options', input, 'an object');
  const o: WriteErrorFileOptions = Object.assign(Object.create(null), input ?? {});
  if (o.logDir !== undefined && (typeof o.logDir !== 'string' || o.logDir === '' || o.logDir.includes('\0'))) {
    throw bad('logDir', o.logDir, 'a non-empty path');
  }
  if (o.redact !== undefined && typeof o.redact !== 'boolean' && typeof o.redact !== 'function') {
    throw bad('redact', o.redact, 'a boolean or a function');
  }
  if (o.redactPatterns !== undefined && (!Array.isArray(o.redactPatterns) || !o.redactPatterns.every((p) => p instanceof RegExp))) {
    throw bad('redactPatterns', o.redactPatterns, 'an array of RegExp');
  }
  if (o.fs !== undefined && (o.fs === null || typeof o.fs !== 'object')) throw bad('fs', o.fs, 'an object');
  return {
    logDir: o.logDir ?? defaultLogDir(),
    tailBytes: int('tailBytes', o.tailBytes, 65_536, 0),
    maxFiles: int('maxFiles', o.maxFiles, 200, 0),
    maxFileBytes: int('maxFileBytes', o.maxFileBytes, 262_144, 65_536),
    history: int('history', o.history, 5, 0, 1000),
    maxFolderBytes: o.maxFolderBytes === undefined ? undefined : int('maxFolderBytes', o.maxFolderBytes, 0, 0),
    stripAnsi: bool('stripAnsi', o.stripAnsi, true),
    redact: o.redact ?? true,
    redactPatterns: o.redactPatterns ?? [],
    durable: bool('durable', o.durable, false),
    lockTimeoutMs: int('lockTimeoutMs', o.lockTimeoutMs, 10_000, 0),
    fs: o.fs,
  };
}
