import os from 'node:os';
import type { LokiRecord } from './types.js';

let host: string | undefined;
function hostname(): string {
  host ??= os.hostname();
  return host;
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
};
const NAME_LEVELS: Record<string, number> = {
  trace: 10,
  silly: 10,
  debug: 20,
  verbose: 20,
  info: 30,
  http: 30,
  notice: 30,
  warn: 40,
  warning: 40,
  error: 50,
  err: 50,
  fatal: 60,
  critical: 60,
  crit: 60,
  alert: 60,
  emerg: 60,
};
// Keys pino (and log-core) put on every object that are not the caller's fields.
export const PINO_KEYS: ReadonlySet<string> = new Set([
  'level',
  'time',
  'msg',
  'message',
  'name',
  'logger',
  'pid',
  'hostname',
  'err',
  'v',
]);

/** The Python-style name of a pino level number (`'Level 35'` for a custom one). */
export function levelNameOf(level: number): string {
  return LEVEL_NAMES[level] ?? `Level ${level}`;
}

/**
 * The `level` label of a level number: one of six values. A custom number
 * maps to the nearest standard level at or below it (35 is `info`); below 10
 * is `trace`, and a number that is not one (NaN) is `info`.
 */
export function levelLabelOf(level: number): string {
  if (level >= 60) return 'critical';
  if (level >= 50) return 'error';
  if (level >= 40) return 'warning';
  if (level >= 30) return 'info';
  if (level >= 20) return 'debug';
  return Number.isNaN(level) ? 'info' : 'trace';
}

/** A level number from a number or a name in pino's, Python's, winston's or syslog's vocabulary. */
export function levelNumberOf(level: unknown): number {
  if (typeof level === 'number' && Number.isFinite(level)) return level;
  if (typeof level === 'string') return NAME_LEVELS[level.toLowerCase()] ?? 30;
  return 30;
}

/** Epoch milliseconds from a number, an ISO or numeric string, or a Date; now for anything else. */
export function timeOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
    const n = Number(value);
    if (Number.isFinite(n)) return n;
  }
  if (value instanceof Date) return value.getTime();
  return Date.now();
}

function errorOf(value: unknown): LokiRecord['err'] {
  if (value === null || typeof value !== 'object') return undefined;
  const e = value as Record<string, unknown>;
  if (typeof e.message !== 'string' && typeof e.stack !== 'string') return undefined;
  return {
    ...e,
    type: typeof e.type === 'string' ? e.type : value instanceof Error ? value.name : 'Error',
    message: typeof e.message === 'string' ? e.message : '',
    stack: typeof e.stack === 'string' ? e.stack : undefined,
  };
}

/** A pino object's logger name: `name`, else `logger`, else `'root'`. */
export function nameOf(o: Record<string, unknown>): string {
  const name = o.name ?? o.logger;
  return typeof name === 'string' && name !== '' ? name : 'root';
}

/** A pino object's message: `msg`, else `message`, as text. */
export function messageOf(o: Record<string, unknown>): string {
  const message = o.msg ?? o.message;
  return message === undefined ? '' : typeof message === 'string' ? message : JSON.stringify(message);
}

/** Sets a field; a `__proto__` key becomes a field like any other rather than the object's prototype. */
function setField(fields: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(fields, key, { value, enumerable: true, writable: true, configurable: true });
  else fields[key] = value;
}

/** Whether a value already is a log-core record (toRecord passes it through). */
export function isLokiRecord(value: Record<string, unknown>): boolean {
  return (
    typeof value.levelName === 'string' &&
    typeof value.message === 'string' &&
    typeof value.fields === 'object' &&
    value.fields !== null
  );
}

/**
 * Turns what a logger hands over into a record: a log-core `LogRecord` passes
 * through; a pino object (`{level, time, msg, name, ...fields}`) is converted.
 */
export function toRecord(input: unknown): LokiRecord {
  if (input === null || typeof input !== 'object') {
    return {
      level: 30,
      levelName: 'INFO',
      name: 'root',
      message: String(input),
      time: Date.now(),
      pid: process.pid,
      hostname: hostname(),
      fields: {},
    };
  }
  const o = input as Record<string, unknown>;
  if (isLokiRecord(o)) return o as unknown as LokiRecord;
  const fields: Record<string, unknown> = {};
  for (const key in o) {
    if (!PINO_KEYS.has(key)) setField(fields, key, o[key]);
  }
  const level = levelNumberOf(o.level);
  return {
    level,
    levelName: levelNameOf(level),
    name: nameOf(o),
    message: messageOf(o),
    time: timeOf(o.time),
    pid: typeof o.pid === 'number' ? o.pid : process.pid,
    hostname: typeof o.hostname === 'string' ? o.hostname : hostname(),
    fields,
    err: errorOf(o.err),
  };
}

/** Turns a winston `info` object into a record (`timestamp`, `logger`/`label` used when present). */
export function fromWinston(info: Record<string, unknown>, defaultLogger: string): LokiRecord {
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(info)) {
    if (
      key !== 'level' &&
      key !== 'message' &&
      key !== 'timestamp' &&
      key !== 'logger' &&
      key !== 'stack' &&
      key !== 'err'
    )
      setField(fields, key, info[key]);
  }
  const level = levelNumberOf(info.level);
  const logger = info.logger ?? info.label ?? defaultLogger;
  const err =
    errorOf(info.err) ??
    (typeof info.stack === 'string' ? errorOf({ message: info.message, stack: info.stack }) : undefined);
  return {
    level,
    levelName: levelNameOf(level),
    name: typeof logger === 'string' && logger !== '' ? logger : 'root',
    message: typeof info.message === 'string' ? info.message : (JSON.stringify(info.message) ?? ''),
    time: info.timestamp === undefined ? Date.now() : timeOf(info.timestamp),
    pid: process.pid,
    hostname: hostname(),
    fields,
    err,
  };
}
