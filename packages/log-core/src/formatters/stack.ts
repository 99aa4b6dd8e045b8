import type { SerializedError } from '../types.js';
import { escapeControl } from './escape.js';

const MAX_CAUSE_DEPTH = 8;
/** How a V8 stack starts: a name, maybe Node's `[ERR_CODE]`, then `:` or nothing (an empty message). */
const HEAD = /^[A-Za-z_$][\w$.]*(?: \[[^\]\n]*\])?(?::|$)/;
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
  const type = typeof err.type === 'string' ? err.type : 'Error';
  const message = typeof err.message === 'string' ? err.message : String(err.message);
  const stack = err.stack;
  let head = `${type}: ${message}`;
  let rest: string | undefined;
  if (typeof stack === 'string' && stack !== '') {
    // The message may hold newlines: the head runs to the end of the line where the message ends.
    const end = messageEnd(stack, message);
    const nl = stack.indexOf('\n', end);
    const first = nl === -1 ? stack : stack.slice(0, nl);
    if (HEAD.test(first)) {
      head = first;
      if (nl !== -1) rest = stack.slice(nl + 1);
    } else {
      // Not a stack as V8 writes it (a plain object's): all of it goes below the head.
      rest = stack;
    }
  }
  let out = escapeControl(head);
  if (rest !== undefined) {
    for (const line of rest.split('\n')) {
      const safe = escapeControl(line);
      out += safe === '' || safe.charCodeAt(0) === 0x20 ? `\n${safe}` : `\n${INDENT}${safe}`;
    }
  }
  return out;
}

/** Where the message ends in the stack's first lines (`Name: message`), or 0 when it is not found. */
function messageEnd(stack: string, message: string): number {
  if (message === '') return 0;
  const colon = stack.indexOf(': ');
  if (colon !== -1 && stack.startsWith(message, colon + 2)) return colon + 2 + message.length;
  const at = stack.indexOf(message);
  return at === -1 ? 0 : at + message.length;
}
