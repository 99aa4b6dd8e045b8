import { CODES, coreError } from '../codes.js';
import type { Formatter, LogRecord } from '../types.js';
import { jsonKey, jsonValue, quote } from './json-value.js';
import { checkDatefmt, createAsctime, createIsoTime } from './time.js';
import { checkKeys, KNOWN } from '../known-options.js';

/** Options of {@link jsonFormatter}. */
export interface JsonFormatterOptions {
  /**
   * How `timestamp` is written: `'iso'` (`2026-11-26T22:59:59.123Z`), `'asctime'`
   * (Python's `formatTime`, local: `2026-11-26 23:59:59,123`) or `'epoch'` (milliseconds, a number).
   * @default 'iso'
   */
  timestamp?: 'iso' | 'asctime' | 'epoch';
  /** strftime format when `timestamp` is `'asctime'`. @default Python's default */
  datefmt?: string;
}

const CORE = new Set(['timestamp', 'level', 'logger', 'message']);

/**
 * The seed's structured shape, one JSON object per record:
 * `{"timestamp", "level": "INFO", "logger", "message", ...fields, "err"?}`.
 * A field that would overwrite one of the four core keys is written as `fields.<key>`.
 */
export function jsonFormatter(options: JsonFormatterOptions = {}): Formatter {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid json formatter options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.json, 'jsonFormatter()');
  checkDatefmt(options.datefmt);
  const mode = options.timestamp ?? 'iso';
  if (mode !== 'iso' && mode !== 'asctime' && mode !== 'epoch') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option timestamp: ${String(mode)}; expected 'iso', 'asctime' or 'epoch'.`,
    );
  }
  const iso = createIsoTime();
  const asctime = createAsctime(options.datefmt);
  const stamp =
    mode === 'epoch'
      ? (t: number) => `${t}`
      : mode === 'asctime'
        ? (t: number) => `"${asctime(t)}"`
        : (t: number) => `"${iso(t)}"`;
  return (record: LogRecord) => {
    let out = `{"timestamp":${stamp(record.time)},"level":"${record.levelName}","logger":${quote(record.name)},"message":${quote(record.message)}`;
    const fields = record.fields;
    for (const key in fields) {
      const value = jsonValue(fields[key]);
      if (value === undefined) continue;
      out += `,${jsonKey(CORE.has(key) ? `fields.${key}` : key)}${value}`;
    }
    if (record.err !== undefined) out += `,"err":${jsonValue(record.err)}`;
    return `${out}}`;
  };
}

/**
 * pino's own line shape (`{"level":30,"time":...,"pid","hostname","name",...fields,"msg"}`):
 * what pino transports, pino-pretty and `pactown-log` read.
 */
export function ndjsonFormatter(): Formatter {
  return (record: LogRecord) => {
    let out = `{"level":${record.level},"time":${record.time},"pid":${record.pid},"hostname":${quote(record.hostname)},"name":${quote(record.name)}`;
    const fields = record.fields;
    for (const key in fields) {
      if (key === 'pid' || key === 'hostname') continue;
      const value = jsonValue(fields[key]);
      if (value !== undefined) out += `,${jsonKey(key)}${value}`;
    }
    if (record.err !== undefined) out += `,"err":${jsonValue(record.err)}`;
    return `${out},"msg":${quote(record.message)}}`;
  };
}
