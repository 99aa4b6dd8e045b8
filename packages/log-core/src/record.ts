import os from 'node:os';
import pino from 'pino';
import { levelName } from './levels.js';
import { getRedactor, MASKED, type Redactor, redactError, redactorVersion } from './redact.js';
import { settings } from './settings.js';
import { activeTraceFields } from './trace-context.js';
import type { LogRecord, SerializedError } from './types.js';

/** Symbols private to this package, set on loggers. */
export const kNode = Symbol('pactown.node');
export const kRawBindings = Symbol('pactown.rawBindings');
export const kBound = Symbol('pactown.bound');
export const kBoundVersion = Symbol('pactown.boundVersion');

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
/** pino's public symbol for a logger's serializers (`serializers` option of pino and of `child()`). */
const serializersSym = Symbol.for('pino.serializers');
type Serializers = { [key: string]: ((value: unknown) => unknown) | undefined };
const NO_SERIALIZERS: Serializers = Object.freeze(Object.create(null));
let hostname: string | undefined;
/** pino's standard `req`/`res` serializers, used when the logger has none of its own for the key (kept out of the logger's serializers, see logger.ts). */
const FALLBACK: Serializers = Object.assign(Object.create(null), {
  req: pino.stdSerializers.req,
  res: pino.stdSerializers.res,
});

class Entry implements LogRecord {
  constructor(
    readonly level: number,
    readonly levelName: string,
    readonly name: string,
    readonly message: string,
    readonly time: number,
    readonly pid: number,
    readonly hostname: string,
    readonly fields: Readonly<{ [key: string]: unknown }>,
    readonly err: SerializedError | undefined,
  ) {}
}

/** Builds a record from what pino's log method received (message already printf-formatted by pino). */
export function buildRecord(logger: any, name: string, obj: unknown, msg: unknown, level: number): LogRecord {
  const redactor = getRedactor();
  let err: unknown;
  let own: { [key: string]: unknown } | null = null;
  if (obj !== null && typeof obj === 'object') {
    if (obj instanceof Error) {
      err = obj;
      if (msg === undefined) msg = obj.message;
    } else {
      own = obj as { [key: string]: unknown };
      err = own.err;
      if (msg === undefined) {
        if (typeof own.msg === 'string') msg = own.msg;
        else if (err !== undefined && err !== null) msg = (err as Error).message;
      }
    }
  }
  let message = typeof msg === 'string' ? msg : msg === undefined || msg === null ? '' : stringify(msg);
  // Masked once, here, unless the caller masked it where its text entered.
  if (settings.redactMessages && (own === null || (own as Record<symbol, unknown>)[MASKED] !== true))
    message = redactor.redactText(message);

  const bound = logger === undefined ? EMPTY : boundFields(logger);
  const serializers: Serializers = logger === undefined ? NO_SERIALIZERS : logger[serializersSym];
  let fields: { [key: string]: unknown } = EMPTY;
  if (bound === EMPTY && own !== null && redactor.paths === 0 && isClean(own, redactor, serializers)) {
    // Nothing to strip or censor: the call's own object is the record's fields (handlers treat it as read-only).
    fields = own;
  } else if (own !== null || bound !== EMPTY) {
    fields = {};
    for (const key in bound) fields[key] = bound[key];
    if (own !== null) {
      for (const key in own) {
        if (key === 'err' || key === 'msg' || key === 'level' || key === 'time' || key === 'name') continue;
        const serialize = serializers[key] ?? FALLBACK[key];
        fields[key] = redactor.redactField(key, serialize === undefined ? own[key] : serialize(own[key]));
      }
    }
    redactor.applyPaths(fields);
  }
  const trace = activeTraceFields();
  if (trace !== undefined) fields = { ...fields, ...trace };
  let serialized: SerializedError | undefined;
  if (err !== undefined && err !== null) serialized = redactError(redactor, err);
  hostname ??= os.hostname();
  return new Entry(level, levelName(level), name, message, Date.now(), process.pid, hostname, fields, serialized);
}

/** Whether an object has only primitive values under keys that are neither reserved nor secret. */
function isClean(obj: { [key: string]: unknown }, redactor: Redactor, serializers: Serializers): boolean {
  for (const key in obj) {
    const value = obj[key];
    if (value !== null && typeof value === 'object') return false;
    if (typeof value === 'string' && value.length > 3 && redactor.mayNeedRedaction(value)) return false;
    if (serializers[key] !== undefined || FALLBACK[key] !== undefined) return false;
    if (key === 'err' || key === 'msg' || key === 'level' || key === 'time' || key === 'name') return false;
    if (redactor.isSecretKey(key)) return false;
  }
  return true;
}

function boundFields(logger: any): { [key: string]: unknown } {
  const raw = logger[kRawBindings];
  if (raw === undefined) return EMPTY;
  const version = redactorVersion();
  if (logger[kBoundVersion] === version) return logger[kBound];
  const redactor = getRedactor();
  const serializers: Serializers = logger[serializersSym];
  const bound: { [key: string]: unknown } = {};
  for (const key in raw) {
    if (key === 'err' || key === 'msg' || key === 'level' || key === 'time' || key === 'name') continue;
    const serialize = serializers[key] ?? FALLBACK[key];
    bound[key] = redactor.redactField(key, serialize === undefined ? raw[key] : serialize(raw[key]));
  }
  redactor.applyPaths(bound);
  logger[kBound] = bound;
  logger[kBoundVersion] = version;
  return bound;
}

function stringify(value: unknown): string {
  if (typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
