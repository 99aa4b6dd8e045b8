/** Errors as plain data: what a record carries as `err`, and the text Python would print for it. */
import type { SerializedError } from './types.js';

const MAX_CAUSE_DEPTH = 8;

/** Turns anything given as an error into plain, serializable data (with its `cause` chain). */
export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!(value instanceof Error)) {
    if (value !== null && typeof value === 'object' && typeof (value as SerializedError).message === 'string') {
      const plain = value as SerializedError;
      return { ...plain, type: typeof plain.type === 'string' ? plain.type : 'Error' };
    }
    return { type: 'Error', message: String(value) };
  }
  const out: SerializedError = {
    type: value.constructor?.name ?? value.name ?? 'Error',
    message: value.message,
  };
  if (typeof value.stack === 'string') out.stack = value.stack;
  for (const key of Object.keys(value)) {
    if (key === 'cause' || key === 'stack' || key === 'message') continue;
    const field = (value as unknown as Record<string, unknown>)[key];
    if (typeof field !== 'function') out[key] = field;
  }
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  const cause = (value as { cause?: unknown }).cause;
  if (cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(cause, depth + 1);
  return out;
}

/** The text Python would print for an error: its stack, then each cause's. */
export function errorText(err: SerializedError): string {
  let text = err.stack ?? `${err.type}: ${err.message}`;
  let cause = err.cause;
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSE_DEPTH; depth++) {
    text += `\nCaused by: ${cause.stack ?? `${cause.type}: ${cause.message}`}`;
    cause = cause.cause;
  }
  return text;
}
