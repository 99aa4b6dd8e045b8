import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { type Server, createServer } from 'node:net';
import { tmpdir } from 'node:os';
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

export async function tempDir(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'pactown-sandbox-test-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Holds a port on 127.0.0.1 (port 0: the OS picks one). */
export async function holdPort(): Promise<{ port: number; server: Server; close: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { port, server, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const held = await holdPort();
  await held.close();
  return held.port;
}

/** Whether a PID is alive (not a zombie). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
