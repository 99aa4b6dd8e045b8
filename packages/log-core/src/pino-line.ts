import { serializeError } from './error-data.js';
import { levelName, parseLevel } from './levels.js';
import { getRedactor } from './redact.js';
import type { LogRecord, SerializedError } from './types.js';

const CORE = new Set(['level', 'time', 'msg', 'message', 'pid', 'hostname', 'name', 'err', 'v']);

/** Reads one pino NDJSON object back into a record (`undefined` when it does not look like a log line). */
export function recordFromPino(obj: Record<string, unknown>, redact = true): LogRecord | undefined {
  let level: number;
  try {
    level = typeof obj.level === 'number' || typeof obj.level === 'string' ? parseLevel(obj.level) : Number.NaN;
  } catch {
    return undefined;
  }
  if (Number.isNaN(level)) return undefined;
  const time =
    typeof obj.time === 'number' ? obj.time : typeof obj.time === 'string' ? Date.parse(obj.time) : Date.now();
  const rawMessage =
    typeof obj.msg === 'string'
      ? obj.msg
      : typeof obj.message === 'string'
        ? obj.message
        : obj.msg === undefined
          ? ''
          : String(obj.msg);
  const redactor = getRedactor();
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(obj)) {
    if (!CORE.has(key)) fields[key] = redact ? redactor.redactField(key, obj[key]) : obj[key];
  }
  if (redact) redactor.applyPaths(fields);
  let err: SerializedError | undefined;
  if (obj.err !== undefined && obj.err !== null) err = serializeError(obj.err);
  return {
    level,
    levelName: levelName(level),
    name: typeof obj.name === 'string' ? obj.name : 'root',
    message: redact ? redactor.redactText(rawMessage) : rawMessage,
    time: Number.isFinite(time) ? time : Date.now(),
    pid: typeof obj.pid === 'number' ? obj.pid : 0,
    hostname: typeof obj.hostname === 'string' ? obj.hostname : '',
    fields,
    err: err !== undefined && redact ? redactor.redactObject(err) : err,
  };
}
