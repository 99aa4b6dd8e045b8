import { callbackHandler } from '../src/index.js';
import type { LogRecord } from '../src/index.js';

/** A callback handler that keeps what it gets. */
export function collector(options: Parameters<typeof callbackHandler>[1] = {}) {
  const records: LogRecord[] = [];
  const messages: string[] = [];
  const handler = callbackHandler((message, record) => {
    messages.push(message);
    records.push(record);
  }, options);
  return { handler, records, messages };
}

let counter = 0;
/** A logger name no other test uses. */
export function uniqueName(base = 't'): string {
  counter += 1;
  return `${base}${process.pid}x${counter}`;
}
