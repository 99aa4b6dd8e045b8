import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor, DEFAULT_REDACT_KEYS, getLogger, getRedactor } from '../src/index.js';
import { collector, uniqueName } from './helpers.js';

const secretish = fc.stringMatching(/^[A-Za-z0-9]{12,30}$/);

describe('redaction', () => {
  it('covers the common secret names by default', () => {
    const r = createRedactor();
    for (const key of ['password', 'DB_PASSWORD', 'token', 'accessToken', 'secret', 'client_secret', 'api_key', 'X-API-Key', 'authorization', 'cookie', 'Set-Cookie', 'private_key', 'privateKey']) {
      expect(r.isSecretKey(key), key).toBe(true);
    }
    for (const key of ['PWD', 'port', 'user', 'service', 'author', 'path']) expect(r.isSecretKey(key), key).toBe(false);
    expect(DEFAULT_REDACT_KEYS).toContain('password');
  });

  it('censors fields deeply without touching the caller object', () => {
    const r = createRedactor({ paths: ['req.headers.x-user', 'users.*.email'] });
    const input = { user: 'u', password: 'p', nested: { apiKey: 'k', list: [{ token: 't' }] }, req: { headers: { 'x-user': 'alice', accept: '*/*' } }, users: [{ email: 'a@b' }, { email: 'c@d' }] };
    const copy = structuredClone(input);
    expect(r.redactObject(input)).toEqual({
      user: 'u',
      password: '[REDACTED]',
      nested: { apiKey: '[REDACTED]', list: [{ token: '[REDACTED]' }] },
      req: { headers: { 'x-user': '[REDACTED]', accept: '*/*' } },
      users: [{ email: '[REDACTED]' }, { email: '[REDACTED]' }],
    });
    expect(input).toEqual(copy);
  });

  it('masks secrets in environment maps', () => {
    const r = createRedactor({ censor: '***' });
    expect(r.redactEnv({ PATH: '/bin', AWS_SECRET_ACCESS_KEY: 'abc', GITHUB_TOKEN: 'ghp', DATABASE_URL: 'postgres://app:hunter2@db/x', PWD: '/srv' })).toEqual({
      PATH: '/bin',
      AWS_SECRET_ACCESS_KEY: '***',
      GITHUB_TOKEN: '***',
      DATABASE_URL: 'postgres://app:***@db/x',
      PWD: '/srv',
    });
  });

  it('masks secrets in free text', () => {
    const r = createRedactor({ patterns: [/sk-[a-z0-9]{8,}/] });
    expect(r.redactText('API_KEY=abc123 PORT=8001 uvicorn main:app')).toBe('API_KEY=[REDACTED] PORT=8001 uvicorn main:app');
    expect(r.redactText('{"password": "hunter2", "user": "bob"}')).toBe('{"password": "[REDACTED]", "user": "bob"}');
    expect(r.redactText('curl -H "Authorization: Bearer eyJhbGciOi.x.y" https://bob:pw@host/p')).toBe('curl -H "Authorization: Bearer [REDACTED]" https://bob:[REDACTED]@host/p');
    expect(r.redactText('Basic dXNlcjpwYXNz and Basic setup done')).toBe('Basic [REDACTED] and Basic setup done');
    expect(r.redactText('run --token abc123 --port 80')).toBe('run --token [REDACTED] --port 80');
    expect(r.redactText('key sk-abcdef123456 here')).toBe('key [REDACTED] here');
    expect(r.redactText('Creating sandbox for service_123')).toBe('Creating sandbox for service_123');
  });

  it('property: a secret value never survives in KEY=value, JSON pairs or URLs', () => {
    const r = getRedactor();
    fc.assert(
      fc.property(fc.constantFrom('PASSWORD', 'api_token', 'GH_TOKEN', 'client-secret', 'Authorization'), secretish, fc.constantFrom('=', '= '), (key, value, eq) => {
        for (const text of [`${key}${eq}${value} next`, `{"${key}": "${value}"}`, `https://me:${value}@example.org/x`]) {
          expect(r.redactText(text)).not.toContain(value);
        }
      }),
    );
  });

  it('runs before any handler sees the record', () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    log.child({ token: 'bound-secret' }).info({ password: 'p', port: 1 }, 'connect with PASSWORD=hunter2');
    expect(records[0]!.fields).toEqual({ token: '[REDACTED]', password: '[REDACTED]', port: 1 });
    expect(records[0]!.message).toBe('connect with PASSWORD=[REDACTED]');
  });

  it('rejects invalid options with a TypeError naming the option', () => {
    expect(() => createRedactor({ paths: 'a.b' as never })).toThrow(/redact\.paths/);
    expect(() => createRedactor({ censor: 1 as never })).toThrow(/redact\.censor/);
  });
});

describe('redactText on hostile input', () => {
  it('stays linear on long runs of key, scheme and flag characters', () => {
    const r = getRedactor();
    for (const text of ['a'.repeat(300_000), 'a.'.repeat(150_000), `${'x-'.repeat(100_000)}=1`, `--${'a'.repeat(200_000)} v`, `${'"a'.repeat(50_000)}`, `p://${'u'.repeat(100_000)}`]) {
      expect(r.redactText(text).length).toBeGreaterThan(0);
    }
    expect(r.redactText(`${'z'.repeat(1000)} TOKEN=abc`)).toBe(`${'z'.repeat(1000)} TOKEN=[REDACTED]`);
  });
});
