import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authenticate, canAccess, parseApiTokens } from '../src/http/auth.js';
import { validateRunBody, validateStopBody } from '../src/http/validate.js';
import { isPortFree, pickFreePort } from '../src/services/ports.js';

describe('validateRunBody', () => {
  const ok = { service_id: 'svc', content: '# x' };
  it.each([
    [null, 'body'],
    [[], 'body'],
    [{ content: '# x' }, 'service_id'],
    [{ service_id: '../etc', content: 'x' }, 'service_id'],
    [{ service_id: 'a/b', content: 'x' }, 'service_id'],
    [{ service_id: 'svc' }, 'content'],
    [{ ...ok, content: '   ' }, 'content'],
    [{ ...ok, port: 80 }, 'port'],
    [{ ...ok, port: '8001' }, 'port'],
    [{ ...ok, port: 8001.5 }, 'port'],
    [{ ...ok, env: 'A=1' }, 'env'],
    [{ ...ok, env: { 'BAD-NAME': '1' } }, 'env.BAD-NAME'],
    [{ ...ok, env: { N: 1 } }, 'env.N'],
    [{ ...ok, user_id: 'a b' }, 'user_id'],
  ])('rejects %j naming %s', (body, field) => {
    const result = validateRunBody(body);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.field).toBe(field);
      expect(result.message.startsWith(field)).toBe(true);
    }
  });

  it('accepts a full body', () => {
    expect(validateRunBody({ ...ok, port: 8001, env: { A: '1' }, user_id: 'user123' })).toEqual({
      ok: true,
      value: { serviceId: 'svc', content: '# x', port: 8001, env: { A: '1' }, userId: 'user123' },
    });
    expect(validateStopBody({ service_id: 'svc' })).toEqual({ ok: true, value: { serviceId: 'svc' } });
  });

  it('never accepts an id that could leave its folder', () => {
    fc.assert(
      fc.property(fc.string(), (id) => {
        const result = validateRunBody({ service_id: id, content: 'x' });
        if (result.ok) expect(/[/\\]|\.\./.test(id) || id.startsWith('.')).toBe(false);
      }),
    );
  });
});

describe('auth', () => {
  const tokens = parseApiTokens('user123:token-aaaaaaaa, user456:token-bbbbbbbb');
  it('maps a bearer token to its user', () => {
    expect(authenticate('Bearer token-bbbbbbbb', tokens)).toEqual({ ok: true, caller: { userId: 'user456', authenticated: true } });
    expect(authenticate(undefined, tokens)).toMatchObject({ ok: false, status: 401 });
    expect(authenticate('Bearer nope-nope-nope', tokens)).toMatchObject({ ok: false, status: 401, message: 'invalid bearer token' });
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
