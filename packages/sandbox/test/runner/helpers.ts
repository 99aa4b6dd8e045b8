import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'runner');

export function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), 'utf8');
}

/** A TCP server on 127.0.0.1 that accepts and drops every connection: the port is taken, but nothing answers HTTP. */
export async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

/** Checks that `expected` appear in `messages` in this order (others may come between). */
export function inOrder(messages: readonly string[], expected: ReadonlyArray<string | RegExp>): void {
  let at = 0;
  for (const want of expected) {
    const found = messages.findIndex((m, i) => i >= at && (typeof want === 'string' ? m === want : want.test(m)));
    if (found === -1) throw new Error(`expected ${String(want)} after position ${at} in:\n${messages.join('\n')}`);
    at = found + 1;
  }
}

export async function httpGet(port: number, path = '/'): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}
