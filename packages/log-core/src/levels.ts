import { CODES, coreError } from './codes.js';
import type { LevelInput } from './types.js';

/** The level numbers, on pino's scale, under their Python names. */
export const LEVELS = Object.freeze({
  NOTSET: 0,
  TRACE: 10,
  DEBUG: 20,
  INFO: 30,
  WARNING: 40,
  ERROR: 50,
  CRITICAL: 60,
  SILENT: Number.POSITIVE_INFINITY,
});

/** pino's name for each standard level number. */
export const PINO_NAMES: Readonly<Record<number, string>> = Object.freeze({
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
});

const PYTHON_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'NOTSET',
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
});

const BY_NAME: ReadonlyMap<string, number> = new Map([
  ['notset', 0],
  ['trace', 10],
  ['debug', 20],
  ['info', 30],
  ['warning', 40],
  ['warn', 40],
  ['error', 50],
  ['critical', 60],
  ['fatal', 60],
  ['silent', Number.POSITIVE_INFINITY],
]);

const VALID = 'TRACE, DEBUG, INFO, WARNING (warn), ERROR, CRITICAL (fatal), NOTSET, SILENT, or a number >= 0';

/**
 * Reads a level in either vocabulary (`'WARNING'`, `'warn'`, `'Critical'`,
 * `'fatal'`), `'NOTSET'`, `'SILENT'`, a number, or a numeric string.
 * @throws {TypeError} naming the valid levels when the input is none of these.
 */
export function parseLevel(input: LevelInput): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) ? input >= 0 : input === Number.POSITIVE_INFINITY) return input;
  } else if (typeof input === 'string') {
    const key = input.trim().toLowerCase();
    const known = BY_NAME.get(key);
    if (known !== undefined) return known;
    if (/^\d+$/.test(key)) return Number(key);
  }
  throw coreError(CODES.INVALID_LEVEL, `[@pactown/log-core] Invalid level ${describe(input)}: expected ${VALID}.`);
}

/** Python's name of a level number: `'INFO'`, `'WARNING'`, ...; `'Level N'` for other numbers. */
export function levelName(level: number): string {
  return PYTHON_NAMES[level] ?? (level === Number.POSITIVE_INFINITY ? 'SILENT' : `Level ${level}`);
}

/** The standard level at or above `level` that pino can filter on (pino knows only its six). */
export function pinoLevelFor(level: number): string {
  if (level <= 10) return 'trace';
  if (level > 60) return 'silent';
  return PINO_NAMES[Math.ceil(level / 10) * 10]!;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    return typeof value;
  }
}
