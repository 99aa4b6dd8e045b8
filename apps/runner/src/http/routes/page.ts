import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'styles.css': 'text/css; charset=utf-8',
};

// The page uses no inline script or style and talks only to this server.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Serves the built log page (`dist/web`): a fixed list of files, nothing else from disk. */
export const pageRoutes: FastifyPluginAsync<{ webDir: string }> = async (app, { webDir }) => {
  const cache = new Map<string, Buffer>();
  const serve = async (name: string) => {
    let body = cache.get(name);
    if (!body) {
      body = await fs.readFile(path.join(webDir, name));
      cache.set(name, body);
    }
    return body;
  };
  const handler = (name: string) => async (_request: unknown, reply: FastifyReply) => {
    try {
      const body = await serve(name);
      return reply
        .type(FILES[name]!)
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .send(body);
    } catch {
      return reply
        .code(500)
        .type('text/plain')
        .send(`The log page is not built: run the build first (${name} missing).`);
    }
  };
  app.get('/', handler('index.html'));
  for (const name of Object.keys(FILES)) app.get(`/${name}`, handler(name));
};
