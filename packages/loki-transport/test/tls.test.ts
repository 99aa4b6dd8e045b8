import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { type TempDir, tempDir } from '@pactown/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLokiClient, lokiReady } from '../src/index.js';

// A real HTTPS endpoint with a certificate made for this run; it answers like Loki (204 / 200 on /ready).
let tmp: TempDir;
let dir: string;
let server: https.Server;
let url: string;
let cert: string;
const seen: Array<{ path: string; auth?: string; tenant?: string }> = [];

beforeAll(async () => {
  tmp = await tempDir('loki-tls-');
  dir = tmp.path;
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  server = https.createServer({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({
        path: req.url!,
        auth: req.headers.authorization,
        tenant: req.headers['x-scope-orgid'] as string | undefined,
      });
      res.writeHead(req.url === '/ready' ? 200 : 204).end(req.url === '/ready' ? 'ready' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await tmp.remove();
});

describe('TLS and auth', () => {
  it('trusts a given CA, sends basic auth and the tenant', async () => {
    const c = createLokiClient({
      url,
      tls: { ca: cert },
      basicAuth: { username: 'u', password: 'p' },
      tenant: 't',
      metricsInterval: 0,
    });
    expect(await c.ready()).toBe(true);
    c.push({ level: 30, time: Date.now(), msg: 'over tls' });
    await c.flush();
    await c.close();
    expect(c.metrics().sentLines).toBe(1);
    expect(seen.at(-1)).toEqual({
      path: '/loki/api/v1/push',
      auth: `Basic ${Buffer.from('u:p').toString('base64')}`,
      tenant: 't',
    });
  });

  it('refuses an unknown certificate unless told not to check', async () => {
    expect(await lokiReady({ url })).toBe(false);
    expect(await lokiReady({ url, tls: { rejectUnauthorized: false } })).toBe(true);
    const c = createLokiClient({
      url,
      maxRetries: 1,
      minBackoff: 1,
      maxBackoff: 2,
      metricsInterval: 0,
      onWarning: () => {},
    });
    c.push({ level: 30, time: Date.now(), msg: 'x' });
    await c.flush();
    await c.close();
    expect(c.metrics().droppedLines.retries_exhausted).toBe(1);
  });
});
