import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { ServiceLogRecord } from '../../src/index.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/process/', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

/** A real pino logger at debug level whose records land in an array. */
export function memoryLogger(): { logger: pino.Logger; records: Array<Record<string, any>> } {
  const records: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) if (line) records.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), records };
}

/** Collects onLog records. */
export function collector(): {
  onLog: (r: ServiceLogRecord) => void;
  records: ServiceLogRecord[];
  messages: () => string[];
} {
  const records: ServiceLogRecord[] = [];
  return { onLog: (r) => records.push(r), records, messages: () => records.map((r) => r.message) };
}
