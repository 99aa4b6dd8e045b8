import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { MessageSink } from '../../src/deps/types.js';
import type { LevelKey as MessageLevel } from '../../src/process/types.js';
import type { ServiceFile } from '../../src/spec/types.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'runner');

/** Every file under a fixture folder, as sandbox files under `prefix`. */
export async function fixtureFiles(name: string, prefix = name): Promise<ServiceFile[]> {
  const base = join(FIXTURES, name);
  const out: ServiceFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else out.push({ path: `${prefix}/${relative(base, full)}`, content: await readFile(full, 'utf8') });
    }
  };
  await walk(base);
  return out;
}

/** A sink that remembers every message. */
export function recordingSink(): MessageSink & {
  messages: Array<{ level: MessageLevel; message: string; logger?: string }>;
} {
  const messages: Array<{ level: MessageLevel; message: string; logger?: string }> = [];
  const sink = ((level, message, detail) => {
    messages.push({ level, message, logger: detail?.logger });
  }) as MessageSink & { messages: typeof messages };
  sink.messages = messages;
  return sink;
}

/**
 * A PEP 503 "simple" package index on 127.0.0.1 serving one wheel built from
 * the localpkg fixture: pip talks to a real index over HTTP, with no traffic
 * leaving the machine.
 */
export async function startLocalIndex(workDir: string): Promise<{ url: string; close(): Promise<void> }> {
  const { execFile } = await import('node:child_process');
  const { createHash } = await import('node:crypto');
  const { createServer } = await import('node:http');
  const wheelName = await new Promise<string>((resolve, reject) => {
    const code = `import sys; sys.path.insert(0, sys.argv[1]); import backend; print(backend.build_wheel(sys.argv[2]))`;
    execFile('python3', ['-c', code, join(FIXTURES, 'localpkg'), workDir], (error, stdout) =>
      error ? reject(error) : resolve(stdout.trim()),
    );
  });
  const wheel = await readFile(join(workDir, wheelName));
  const sha = createHash('sha256').update(wheel).digest('hex');
  const server = createServer((req, res) => {
    if (req.url === '/simple/hello-local/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!DOCTYPE html><html><body><a href="/files/${wheelName}#sha256=${sha}">${wheelName}</a></body></html>`);
    } else if (req.url === `/files/${wheelName}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': wheel.length });
      res.end(wheel);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/simple/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
