import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRedactor,
  DEFAULT_REDACT_KEYS,
  getLogger,
  getRedactor,
  jsonFormatter,
  MASKED,
  patternFormatter,
  prettyFormatter,
} from '../src/index.js';
import { collector, uniqueName } from './helpers.js';

const secretish = fc.stringMatching(/^[A-Za-z0-9]{12,30}$/);

describe('redaction', () => {
  it('covers the common secret names by default', () => {
    const r = createRedactor();
    for (const key of [
      'password',
      'DB_PASSWORD',
      'token',
      'accessToken',
      'secret',
      'client_secret',
      'api_key',
      'X-API-Key',
      'authorization',
      'cookie',
      'Set-Cookie',
      'private_key',
      'privateKey',
    ]) {
      expect(r.isSecretKey(key), key).toBe(true);
    }
    for (const key of ['PWD', 'port', 'user', 'service', 'author', 'path']) expect(r.isSecretKey(key), key).toBe(false);
    expect(DEFAULT_REDACT_KEYS).toContain('password');
  });

  it('censors fields deeply without touching the caller object', () => {
    const r = createRedactor({ paths: ['req.headers.x-user', 'users.*.email'] });
    const input = {
      user: 'u',
      password: 'p',
      nested: { apiKey: 'k', list: [{ token: 't' }] },
      req: { headers: { 'x-user': 'alice', accept: '*/*' } },
      users: [{ email: 'a@b' }, { email: 'c@d' }],
    };
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
    expect(
      r.redactEnv({
        PATH: '/bin',
        AWS_SECRET_ACCESS_KEY: 'abc',
        GITHUB_TOKEN: 'ghp',
        DATABASE_URL: 'postgres://app:hunter2@db/x',
        PWD: '/srv',
      }),
    ).toEqual({
      PATH: '/bin',
      AWS_SECRET_ACCESS_KEY: '***',
      GITHUB_TOKEN: '***',
      DATABASE_URL: 'postgres://app:***@db/x',
      PWD: '/srv',
    });
  });

  it('masks secrets in free text', () => {
    const r = createRedactor({ patterns: [/sk-[a-z0-9]{8,}/] });
    expect(r.redactText('API_KEY=abc123 PORT=8001 uvicorn main:app')).toBe(
      'API_KEY=[REDACTED] PORT=8001 uvicorn main:app',
    );
    expect(r.redactText('{"password": "hunter2", "user": "bob"}')).toBe('{"password": "[REDACTED]", "user": "bob"}');
    expect(r.redactText('curl -H "Authorization: Bearer eyJhbGciOi.x.y" https://bob:pw@host/p')).toBe(
      'curl -H "Authorization: Bearer [REDACTED]" https://bob:[REDACTED]@host/p',
    );
    expect(r.redactText('Basic dXNlcjpwYXNz and Basic setup done')).toBe('Basic [REDACTED] and Basic setup done');
    expect(r.redactText('run --token abc123 --port 80')).toBe('run --token [REDACTED] --port 80');
    expect(r.redactText('key sk-abcdef123456 here')).toBe('key [REDACTED] here');
    expect(r.redactText('Creating sandbox for service_123')).toBe('Creating sandbox for service_123');
  });

  it('property: a secret value never survives in KEY=value, JSON pairs or URLs', () => {
    const r = getRedactor();
    fc.assert(
      fc.property(
        fc.constantFrom('PASSWORD', 'api_token', 'GH_TOKEN', 'client-secret', 'Authorization'),
        secretish,
        fc.constantFrom('=', '= '),
        (key, value, eq) => {
          for (const text of [
            `${key}${eq}${value} next`,
            `{"${key}": "${value}"}`,
            `https://me:${value}@example.org/x`,
          ]) {
            expect(r.redactText(text)).not.toContain(value);
          }
        },
      ),
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

  it('masks secrets in an error message, stack and cause chain, wherever the error is', () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    const cause = new Error('retry failed: token=c4use-secret');
    const err = new Error('postgres://app:hunter2@db PASSWORD=hunter2', { cause });
    log.error(err);
    log.error({ err }, 'with err');
    log.error({ error: err, nested: { list: [err] } }, 'in fields');
    log.error(
      { err: { message: 'API_KEY=plain-secret', stack: 'Error: API_KEY=plain-secret\n    at x' } },
      'plain error',
    );
    expect(records).toHaveLength(4);
    const outputs = records.flatMap((r) => [
      patternFormatter()(r),
      jsonFormatter()(r),
      prettyFormatter({ colorize: false })(r),
    ]);
    for (const out of outputs) {
      expect(out).not.toContain('hunter2');
      expect(out).not.toContain('c4use-secret');
      expect(out).not.toContain('plain-secret');
    }
    const masked = records[0]!.err!;
    expect(masked.message).toBe('postgres://app:[REDACTED]@db PASSWORD=[REDACTED]');
    expect(masked.stack!.split('\n')[0]).toBe('Error: postgres://app:[REDACTED]@db PASSWORD=[REDACTED]');
    expect(masked.stack!.split('\n')[1]).toMatch(/^\s+at /);
    expect(masked.cause!.message).toBe('retry failed: token=[REDACTED]');
    expect(err.message).toBe('postgres://app:hunter2@db PASSWORD=hunter2');
  });

  it('censors secrets at any depth: too deep is replaced, class instances are walked', () => {
    const r = createRedactor();
    let deep: Record<string, unknown> = { password: 'hunter2', port: 1 };
    for (let i = 0; i < 10; i++) deep = { a: deep };
    const out = JSON.stringify(r.redactObject(deep));
    expect(out).not.toContain('hunter2');
    expect(out).toContain('[too deep]');
    // Shallow enough: walked, not replaced.
    let shallow: Record<string, unknown> = { password: 'hunter2', port: 1 };
    for (let i = 0; i < 6; i++) shallow = { a: shallow };
    expect(JSON.stringify(r.redactObject(shallow))).toBe(
      `${'{"a":'.repeat(6)}{"password":"[REDACTED]","port":1}${'}'.repeat(6)}`,
    );
    class Conn {
      user = 'u';
      password = 'hunter2';
    }
    expect(JSON.stringify(r.redactObject({ a: { b: { c: { d: { e: { conn: new Conn() } } } } } }))).not.toContain(
      'hunter2',
    );
  });

  it('redacts what toJSON() returns, and keeps values whose JSON needs nothing', () => {
    const r = createRedactor();
    class Creds {
      toJSON() {
        return { user: 'u', password: 'hunter2' };
      }
    }
    expect(JSON.stringify(r.redactObject({ creds: new Creds(), list: [new Creds()] }))).toBe(
      '{"creds":{"user":"u","password":"[REDACTED]"},"list":[{"user":"u","password":"[REDACTED]"}]}',
    );
    const date = new Date(0);
    const url = new URL('https://example.org/x');
    const input = { date, url, buf: Buffer.from('ab') };
    expect(r.redactObject(input)).toBe(input);
    const { handler, records } = collector({ formatter: jsonFormatter() });
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    log.info({ creds: new Creds() }, 'json');
    expect(JSON.parse(jsonFormatter()(records[0]!)).creds).toEqual({ user: 'u', password: '[REDACTED]' });
  });

  it('rejects invalid options with a TypeError naming the option', () => {
    expect(() => createRedactor({ paths: 'a.b' as never })).toThrow(/redact\.paths/);
    expect(() => createRedactor({ censor: 1 as never })).toThrow(/redact\.censor/);
  });
});

describe('a message masked where it entered', () => {
  it('is not masked again when the call says so with MASKED; fields and the error still are', () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    // What a capture hands over: masked once with the run's own redactor (here, by a known value).
    const line = createRedactor({ knownValues: ['run-only-value'] }).redactText('got run-only-value, token=[REDACTED]');
    log.info({ [MASKED]: true, stream: 'stdout' }, line);
    log.info({ [MASKED]: true, password: 'field-secret' }, 'plain TOKEN=kept-as-given');
    log.info({ stream: 'stdout' }, 'TOKEN=masked-here');
    expect(records.map((r) => r.message)).toEqual([
      'got [REDACTED], token=[REDACTED]',
      'plain TOKEN=kept-as-given',
      'TOKEN=[REDACTED]',
    ]);
    expect(records[1]!.fields.password).toBe('[REDACTED]');
    expect(Object.keys(records[0]!.fields)).toEqual(['stream']);
    expect(jsonFormatter()(records[0]!)).not.toContain('masked');
  });
});

describe('redactText on hostile input', () => {
  it('stays linear on long runs of key, scheme and flag characters', () => {
    const r = getRedactor();
    for (const text of [
      'a'.repeat(300_000),
      'a.'.repeat(150_000),
      `${'x-'.repeat(100_000)}=1`,
      `--${'a'.repeat(200_000)} v`,
      `${'"a'.repeat(50_000)}`,
      `p://${'u'.repeat(100_000)}`,
    ]) {
      expect(r.redactText(text).length).toBeGreaterThan(0);
    }
    expect(r.redactText(`${'z'.repeat(1000)} TOKEN=abc`)).toBe(`${'z'.repeat(1000)} TOKEN=[REDACTED]`);
  });
});

describe('mayNeedRedaction (block pre-check)', () => {
  const lines = [
    'plain words only',
    'DB_PASSWORD=hunter2',
    '{"token": "abc"}',
    'run --password s3cret',
    'Authorization: Bearer abcdef123456',
    'BASIC dXNlcjpwYXNz',
    'postgres://u:p@db/x',
    'nothing here either',
  ];

  it('never answers false for a block holding a line redactText changes', () => {
    const r = createRedactor({ patterns: [/sk_live_[0-9a-z]+/] });
    for (const line of [...lines, 'key sk_live_abc123 leaked']) {
      const changed = r.redactText(line) !== line;
      const block = `clean line\n${line}\r\nanother clean line`;
      if (changed) expect(r.mayNeedRedaction(block), line).toBe(true);
    }
  });

  it('answers false for blocks without any secret syntax, so callers can skip per-line work', () => {
    const r = createRedactor();
    expect(r.mayNeedRedaction('x'.repeat(99).concat('\n').repeat(1000))).toBe(false);
    expect(r.mayNeedRedaction('GET /health 200\nready in 12ms\n')).toBe(false);
    expect(r.mayNeedRedaction('a-b and 12:30:45')).toBe(false);
    expect(r.mayNeedRedaction('ok\nrun --token x')).toBe(true);
  });

  it('checks block-safe patterns over the block and gives up on anchored ones', () => {
    const safe = createRedactor({ patterns: [/\bsk_[a-z]+/, /[^\s]+@corp\.example/] });
    expect(safe.mayNeedRedaction('hello\nworld')).toBe(false);
    expect(safe.mayNeedRedaction('hello\nsk_live\nworld')).toBe(true);
    expect(safe.mayNeedRedaction('mail bob@corp.example now')).toBe(true);
    // `^secret` matches the second line alone but not the block: the check must not promise anything.
    const anchored = createRedactor({ patterns: [/^secret/] });
    expect(anchored.redactText('secret')).not.toBe('secret');
    expect(anchored.mayNeedRedaction('ok\nsecret')).toBe(true);
    expect(createRedactor({ patterns: [/(?<=k)v/] }).mayNeedRedaction('ok')).toBe(true);
    expect(createRedactor({ patterns: [/a\$b/] }).mayNeedRedaction('ok')).toBe(false);
  });
});

describe('mayNeedRedaction (property)', () => {
  it('is true whenever redactText changes a line of the block', () => {
    const r = createRedactor({ patterns: [/tok_[a-z0-9]{4}/i] });
    const word = fc.constantFrom(
      'password',
      'token',
      'Bearer',
      'basic',
      'x',
      'user',
      '=',
      '"',
      ':',
      '-',
      '--',
      '://',
      '@',
      ' ',
      'abc123XYZ',
      'tok_ab12',
      'Zm9vOmJhcg==',
    );
    const line = fc.array(word, { maxLength: 8 }).map((w) => w.join(''));
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (block) => {
        const changed = block.some((l) => r.redactText(l) !== l);
        if (changed) expect(r.mayNeedRedaction(block.join('\n'))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
