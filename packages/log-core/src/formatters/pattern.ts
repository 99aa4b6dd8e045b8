import { CODES, coreError } from '../codes.js';
import { isMainThread, threadId } from 'node:worker_threads';
import { errorText } from '../error-data.js';
import type { Formatter, LogRecord } from '../types.js';
import { escapeControl } from './escape.js';
import { printfConvert, toText } from './printf-spec.js';
import { errorBlock } from './stack.js';
import { checkDatefmt, createAsctime } from './time.js';
import { checkKeys, KNOWN } from '../known-options.js';

/** Python's classic layout; `asctime` uses Python's default date format. */
export const DEFAULT_PATTERN = '%(asctime)s [%(levelname)s] %(name)s: %(message)s';

/** Options of {@link patternFormatter}. */
export interface PatternFormatterOptions {
  /** strftime format for `%(asctime)s`; without it Python's default `2026-11-26 23:59:59,123`. @default undefined */
  datefmt?: string;
  /** Render times in UTC instead of local time. @default false */
  utc?: boolean;
  /** Text for a `%(field)s` the record does not have. @default '' */
  missing?: string;
  /** Append the error's stack on the following lines, as Python prints a traceback. @default true */
  stack?: boolean;
}

type Getter = (record: LogRecord) => unknown;
/** Values this package renders itself, never containing control characters. */
const SAFE_KEYS = new Set(['asctime', 'levelname']);

/** Logger names repeat: escape each once. */
function cachedEscape(get: Getter): (record: LogRecord) => string {
  let lastIn = '';
  let lastOut = '';
  return (record) => {
    const value = toText(get(record));
    if (value !== lastIn) {
      lastIn = value;
      lastOut = escapeControl(value);
    }
    return lastOut;
  };
}
const SPEC = /%\(([^)]*)\)([#0 +-]*)(\d+)?(?:\.(\d+))?([diouxXeEfFgGcrsa])|%%/g;
const originMs = Math.round(performance.timeOrigin);

/**
 * A formatter with Python's `logging.Formatter` syntax: `%(name)s`, widths and
 * alignment (`%(levelname)-8s`), any bound field (`%(service)s`). The message is
 * kept on one line (newlines and control characters escaped); an error's stack follows on its own lines.
 */
export function patternFormatter(pattern: string = DEFAULT_PATTERN, options: PatternFormatterOptions = {}): Formatter {
  if (typeof pattern !== 'string') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid pattern: ${String(pattern)}; expected a string.`,
    );
  }
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid pattern options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.pattern, 'patternFormatter()');
  checkDatefmt(options.datefmt);
  const missing = options.missing ?? '';
  const asctime = createAsctime(options.datefmt, options.utc === true);
  const withStack = options.stack !== false;
  const parts: Array<string | ((record: LogRecord) => string)> = [];
  let last = 0;
  for (const match of pattern.matchAll(SPEC)) {
    if (match.index > last) parts.push(pattern.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === '%%') {
      parts.push('%');
      continue;
    }
    const [, key = '', flags = '', width, precision, conversion = 's'] = match;
    const get = getter(key, asctime, missing);
    const w = width === undefined ? 0 : Number(width);
    const p = precision === undefined ? undefined : Number(precision);
    if (conversion === 's' && w === 0 && p === undefined) {
      parts.push(
        SAFE_KEYS.has(key)
          ? (r) => get(r) as string
          : key === 'name'
            ? cachedEscape(get)
            : (r) => escapeControl(toText(get(r))),
      );
    } else {
      parts.push((r) => escapeControl(printfConvert(get(r), flags, w, p, conversion)));
    }
  }
  if (last < pattern.length) parts.push(pattern.slice(last));
  const merged = mergeLiterals(parts);
  return (record: LogRecord) => {
    let out = '';
    for (let i = 0; i < merged.length; i++) {
      const part = merged[i]!;
      out += typeof part === 'string' ? part : part(record);
    }
    if (withStack && record.err !== undefined) out += `\n${errorBlock(record.err)}`;
    return out;
  };
}

function getter(key: string, asctime: (t: number) => string, missing: string): Getter {
  switch (key) {
    case 'asctime':
      return (r) => asctime(r.time);
    case 'message':
      return (r) => r.message;
    case 'levelname':
      return (r) => r.levelName;
    case 'levelno':
      return (r) => r.level;
    case 'name':
      return (r) => r.name;
    case 'created':
      return (r) => r.time / 1000;
    case 'msecs':
      return (r) => r.time % 1000;
    case 'relativeCreated':
      return (r) => r.time - originMs;
    case 'process':
      return (r) => r.pid;
    case 'hostname':
      return (r) => r.hostname;
    case 'thread':
      return () => threadId;
    case 'threadName':
      return () => (isMainThread ? 'MainThread' : `Worker-${threadId}`);
    case 'processName':
      return () => 'MainProcess';
    case 'exc_text':
      return (r) => (r.err === undefined ? '' : errorText(r.err));
    default:
      return (r) => {
        const value = r.fields[key];
        return value === undefined ? missing : value;
      };
  }
}

function mergeLiterals(parts: Array<string | ((record: LogRecord) => string)>) {
  const out: typeof parts = [];
  for (const part of parts) {
    const prev = out[out.length - 1];
    if (typeof part === 'string' && typeof prev === 'string') out[out.length - 1] = prev + part;
    else out.push(part);
  }
  return out;
}
