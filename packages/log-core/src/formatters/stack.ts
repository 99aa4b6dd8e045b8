import type { SerializedError } from '../types.js';
import { escapeControl } from './escape.js';

const MAX_CAUSE_DEPTH = 8;
/** How a V8 stack names the error: a name, maybe Node's `[ERR_CODE]`. */
const NAME = /^[A-Za-z_$][\w$.]*(?: \[[^\]\n]*\])?$/;
/** A type that may start the error's first line. */
const TYPE = /^[A-Za-z_$][\w$.]*$/;
const INDENT = '    ';

/**
 * An error and its causes as text lines for the pattern and pretty formatters,
 * like `errorText` but unable to forge a record: the first line of each
 * error (its name and message, `Caused by: ` before a cause's) has every
 * newline and control character escaped; every other line of the stack has
 * its control characters escaped and starts with whitespace.
 */
export function errorBlock(err: SerializedError): string {
  let text = oneError(err);
  let cause = err.cause;
  for (let depth = 0; cause !== null && typeof cause === 'object' && depth < MAX_CAUSE_DEPTH; depth++) {
    text += `\nCaused by: ${oneError(cause)}`;
    cause = cause.cause;
  }
  return text;
}

function oneError(err: SerializedError): string {
  const rawType = typeof err.type === 'string' ? err.type : 'Error';
  const message = typeof err.message === 'string' ? err.message : String(err.message);
  const stack = err.stack;
  // The type of an error given as a plain object is any text: only a name may
  // start the line; any other type is shown, escaped, on an indented line.
  const type = TYPE.test(rawType) ? rawType : 'Error';
  let head = `${type}: ${message}`;
  let rest: string | undefined;
  if (typeof stack === 'string' && stack !== '') {
    // The stack's first line(s) stand for the error only when they are what V8
    // writes, a name then the whole message; any other stack (a plain object's
    // text) goes below the head, so it cannot choose the error's first line.
    const end = headEnd(stack, message);
    if (end === -1) rest = stack;
    else {
      head = stack.slice(0, end);
      if (end < stack.length) rest = stack.slice(end + 1);
    }
  }
  let out = escapeControl(head);
  if (type !== rawType) out += `\n${INDENT}type: ${escapeControl(rawType)}`;
  if (rest !== undefined) {
    for (const line of rest.split('\n')) {
      const safe = escapeControl(line);
      out += safe === '' || safe.charCodeAt(0) === 0x20 ? `\n${safe}` : `\n${INDENT}${safe}`;
    }
  }
  return out;
}

/**
 * Where the head of a V8-written stack ends (`Name: message` or, for an empty
 * message, `Name`), at the end of the text or a newline; -1 when the stack
 * does not start that way.
 */
function headEnd(stack: string, message: string): number {
  const colon = stack.indexOf(': ');
  if (colon !== -1 && NAME.test(stack.slice(0, colon)) && stack.startsWith(message, colon + 2)) {
    const end = colon + 2 + message.length;
    if (end === stack.length || stack.charCodeAt(end) === 0x0a) return end;
  }
  if (message === '') {
    const nl = stack.indexOf('\n');
    const end = nl === -1 ? stack.length : nl;
    if (NAME.test(stack.slice(0, end))) return end;
  }
  return -1;
}
