import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate, canAccess, parseApiTokens } from '../src/http/auth.js';
import { SERVICE_ID_PATTERN } from '../src/config/service-id.js';
import { isPortFree, pickFreePort } from '../src/services/ports.js';
import { type Harness, startHarness } from './helpers/harness.js';

describe('request schemas', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ loki: false });
  });
  afterAll(async () => {
    await h.close();
  });
  const inject = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await h.app.fastify.inject({
      method,
      url,
      ...(payload !== undefined
        ? { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }
        : {}),
    });
    return { status: res.statusCode, body: res.json() as { field?: string; message: string; error?: string } };
  };

  const ok = { service_id: 'svc', content: '# x' };
  it.each([
    [null, 'body'],
    [[], 'body'],
    ['text', 'body'],
    [{ content: '# x' }, 'service_id'],
    [{ service_id: '../etc', content: 'x' }, 'service_id'],
    [{ service_id: 'a/b', content: 'x' }, 'service_id'],
    [{ service_id: 'a..b', content: 'x' }, 'service_id'],
    [{ service_id: '_api', content: 'x' }, 'service_id'],
    [{ service_id: 'x'.repeat(65), content: 'x' }, 'service_id'],
    [{ service_id: 7, content: 'x' }, 'service_id'],
    [{ service_id: 'svc' }, 'content'],
    [{ ...ok, content: '   ' }, 'content'],
    [{ ...ok, content: 'é'.repeat(600 * 1024), _case: 'content over 1 MiB in UTF-8' }, 'content'],
    [{ ...ok, port: 80 }, 'port'],
    [{ ...ok, port: '8001' }, 'port'],
    [{ ...ok, port: 8001.5 }, 'port'],
    [{ ...ok, env: 'A=1' }, 'env'],
    [
      {
        ...ok,
        env: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`V${i}`, '1'])),
        _case: '101 env entries',
      },
      'env',
    ],
    [{ ...ok, env: { 'BAD-NAME': '1' } }, 'env.BAD-NAME'],
    [{ ...ok, env: { N: 1 } }, 'env.N'],
    [{ ...ok, user_id: 'a b' }, 'user_id'],
  ])('POST /run %#: 400 naming %s', async (body, field) => {
    for (const url of ['/run', '/run/stream']) {
      const res = await inject('POST', url, body);
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.message.startsWith(`${field} `)).toBe(true);
    }
  });

  it('passes a full body on to the run (the runner, not the schema, refuses content without a block)', async () => {
    const res = await inject('POST', '/run', { ...ok, port: 8001, env: { A: '1' }, user_id: 'user123' });
    expect(res.body.field).toBeUndefined();
    expect(res.body.error).not.toBe('invalid_request');
  });

  it('checks /stop bodies, path ids and query strings the same way', async () => {
    expect((await inject('POST', '/stop', {})).body).toMatchObject({ field: 'service_id' });
    expect((await inject('POST', '/stop', { service_id: 'a..b' })).body).toMatchObject({ field: 'service_id' });
    expect(await inject('GET', '/services/..x')).toMatchObject({ status: 400, body: { field: 'service_id' } });
    expect(await inject('GET', '/services/ok/logs?level=loud')).toMatchObject({
      status: 400,
      body: { field: 'level' },
    });
    expect(await inject('GET', '/services/ok/error-log?format=yaml')).toMatchObject({
      status: 400,
      body: { field: 'format' },
    });
    expect((await inject('GET', '/services/ok/logs?level=debug')).status).toBe(404);
  });

  it('accepts a path id exactly when the service-id rule does, and never one that could leave its folder', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 70 }), async (id) => {
        const res = await inject('GET', `/services/${encodeURIComponent(id)}`);
        expect(res.status).toBe(SERVICE_ID_PATTERN.test(id) ? 404 : 400);
        if (res.status === 404) expect(/[/\\]|\.\./.test(id) || id.startsWith('.')).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe('auth', () => {
  const tokens = parseApiTokens('user123:token-aaaaaaaa, user456:token-bbbbbbbb');
  it('maps a bearer token to its user', () => {
    expect(authenticate('Bearer token-bbbbbbbb', tokens)).toEqual({
      ok: true,
      caller: { userId: 'user456', authenticated: true },
    });
    expect(authenticate(undefined, tokens)).toMatchObject({ ok: false, status: 401 });
    expect(authenticate('Bearer nope-nope-nope', tokens)).toMatchObject({
      ok: false,
      status: 401,
      message: 'invalid bearer token',
    });
    expect(authenticate('Basic dXNlcjpwYXNz', tokens)).toMatchObject({ ok: false, status: 401 });
  });
  it('is open without tokens, and checks ownership with them', () => {
    const open = authenticate(undefined, null);
    expect(open).toEqual({ ok: true, caller: { userId: 'anonymous', authenticated: false } });
    expect(canAccess({ userId: 'a', authenticated: true }, 'a')).toBe(true);
    expect(canAccess({ userId: 'a', authenticated: true }, 'b')).toBe(false);
    expect(canAccess({ userId: 'a', authenticated: false }, 'b')).toBe(true);
  });
  it('rejects bad token specs without echoing the token', () => {
    expect(() => parseApiTokens('user123:short')).toThrow(TypeError);
    expect(() => parseApiTokens('user123:short')).not.toThrow(/short/);
    expect(() => parseApiTokens(',')).toThrow(/no user:token pair/);
  });
});

describe('ports', () => {
  it('picks a port nothing listens on, skipping reserved ones', async () => {
    const port = await pickFreePort();
    expect(await isPortFree(port)).toBe(true);
    const server = net.createServer().listen(port, '0.0.0.0');
    await new Promise((resolve) => server.once('listening', resolve));
    expect(await isPortFree(port)).toBe(false);
    const other = await pickFreePort(new Set([port]));
    expect(other).not.toBe(port);
    await new Promise((resolve) => server.close(resolve));
  });
});
