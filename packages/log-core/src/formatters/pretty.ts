import { CODES, coreError } from '../codes.js';
import type { Formatter, LogRecord } from '../types.js';
import { escapeControl } from './escape.js';
import { jsonValue } from './json-value.js';
import { errorBlock } from './stack.js';
import { checkDatefmt, strftime } from './time.js';
import { checkKeys, KNOWN } from '../known-options.js';

/** Options of {@link prettyFormatter}. */
export interface PrettyFormatterOptions {
  /**
   * ANSI colors. Default: on when `FORCE_COLOR` is set (and not `0`), off when `NO_COLOR` is set,
   * otherwise on only when `stream` is a TTY.
   * @default auto
   */
  colorize?: boolean;
  /** The stream the text goes to, for the TTY check. @default process.stderr */
  stream?: { isTTY?: boolean };
  /** strftime format of the time column. @default '%H:%M:%S' */
  datefmt?: string;
}

const RESET = '\u001b[0m';
const DIM = '\u001b[2m';
const CYAN = '\u001b[36m';
const COLORS: Record<string, string> = {
  TRACE: '\u001b[90m',
  DEBUG: '\u001b[34m',
  INFO: '\u001b[32m',
  WARNING: '\u001b[33m',
  ERROR: '\u001b[31m',
  CRITICAL: '\u001b[1;41;97m',
};

/** Whether color is wanted for a stream: FORCE_COLOR / NO_COLOR first, then the TTY check. */
export function wantsColor(stream: { isTTY?: boolean } | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream?.isTTY === true;
}

/** Terminal output: `23:59:59.123 INFO    pactown.sandbox: message key=value`, colored by level when wanted. */
export function prettyFormatter(options: PrettyFormatterOptions = {}): Formatter {
  if (options === null || typeof options !== 'object') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid pretty formatter options: ${String(options)}; expected an object.`,
    );
  }
  checkKeys(options, KNOWN.pretty, 'prettyFormatter()');
  checkDatefmt(options.datefmt);
  if (options.colorize !== undefined && typeof options.colorize !== 'boolean') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option colorize: ${String(options.colorize)}; expected a boolean.`,
    );
  }
  const color = options.colorize ?? wantsColor(options.stream ?? process.stderr);
  const datefmt = options.datefmt ?? '%H:%M:%S';
  const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
  return (record: LogRecord) => {
    const time = `${strftime(record.time, datefmt)}.${String(record.time % 1000).padStart(3, '0')}`;
    const level = record.levelName.padEnd(8);
    let out = `${paint(DIM, time)} ${paint(COLORS[record.levelName] ?? '', level)} ${paint(CYAN, escapeControl(record.name))}: ${escapeControl(record.message)}`;
    const fields = record.fields;
    for (const key in fields) {
      const value = fields[key];
      const text =
        typeof value === 'string'
          ? /[\s"=]/.test(value) || value === ''
            ? JSON.stringify(value)
            : value
          : jsonValue(value);
      if (text !== undefined) out += ` ${paint(DIM, `${escapeControl(key)}=`)}${escapeControl(text)}`;
    }
    if (record.err !== undefined) out += `\n${paint(COLORS.ERROR!, errorBlock(record.err))}`;
    return out;
  };
}
