import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  backoffDelay,
  createLokiClient,
  type LokiClient,
  type LokiMetrics,
  type LokiOptions,
  parseRetryAfter,
} from '../src/index.js';
import { logfmtValue } from '../src/line-format.js';
import { lokiHandler } from '../src/log-core.js';
import { normalizeOptions } from '../src/options.js';
import { fromWinston, toRecord } from '../src/record.js';
import { ignoredLines } from '../src/sender.js';
import type { LokiTransport } from '../src/winston.js';

describe('backoff', () => {
  it('is full jitter under a doubling ceiling capped at maxBackoff', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0, max: 0.999_999, noNaN: true }), (attempt, r) => {
        const d = backoffDelay(attempt, 500, 300_000, () => r);
        const ceiling = Math.min(300_000, 500 * 2 ** attempt);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(ceiling);
        expect(d).toBe(Math.floor(r * ceiling));
      }),
    );
    expect(backoffDelay(0, 500, 300_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 300_000, () => 0.5)).toBe(2000);
    expect(backoffDelay(20, 500, 300_000, () => 0.5)).toBe(150_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-27T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:00:00 GMT', now + 5000)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});

describe("reading Loki's 400 answers", () => {
  it('counts listed entries and "total ignored" summaries; anything else means the whole batch', () => {
    expect(
      ignoredLines(
        'entry for stream \'{a="b"}\' has timestamp too old: x\nentry for stream \'{a="b"}\' has timestamp too new: y',
      ),
    ).toBe(2);
    expect(
      ignoredLines(
        "entry with timestamp 2026 ignored, reason: 'entry too far behind',\nuser 'fake', total ignored: 7 out of 9 for stream: {a=\"b\"}",
      ),
    ).toBe(7);
    // Loki 3.7 groups the errors of one push, lower-case.
    expect(
      ignoredLines(
        "2 errors like: entry for stream '{a=\"b\"}' has timestamp too old: x; 1 errors like: max entry size '262144' bytes exceeded for stream '{a=\"b\"}'",
      ),
    ).toBe(3);
    expect(
      ignoredLines(
        '2 errors like: entry for stream \'{a="b"}\' has timestamp too old: x; 1 errors like: something else',
      ),
    ).toBeNull();
    expect(ignoredLines('error at least one label pair is required per stream')).toBeNull();
    expect(ignoredLines('')).toBeNull();
  });
});

describe('options', () => {
  const url = 'http://127.0.0.1:3100';
  it('throw TypeErrors naming the option and the value', () => {
    expect(() => normalizeOptions({} as LokiOptions)).toThrow(TypeError);
    expect(() => normalizeOptions({ url: 'ftp://x' })).toThrow(
      /option 'url' must be an http: or https: URL, got "ftp:\/\/x"/,
    );
    expect(() => normalizeOptions({ url, batchBytes: -1 })).toThrow(/'batchBytes'.*got -1/);
    expect(() => normalizeOptions({ url, wire: 'xml' as never })).toThrow(/'wire' must be one of "protobuf", "json"/);
    expect(() => normalizeOptions({ url, batchsize: 5 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => normalizeOptions({ url, bearerToken: 't', basicAuth: { username: 'u', password: 'p' } })).toThrow(
      /bearerToken/,
    );
    expect(() => normalizeOptions({ url, minBackoff: 1000, maxBackoff: 10 })).toThrow(/maxBackoff/);
    expect(() => createLokiClient({ url, format: 'pattern' })).toThrow(/patternFormatter/);
  });

  it('accept a base URL or the push URL, and build auth and tenant headers', () => {
    expect(normalizeOptions({ url: 'http://loki:3100' }).pushUrl.href).toBe('http://loki:3100/loki/api/v1/push');
    expect(normalizeOptions({ url: 'https://x/prefix/loki/api/v1/push' }).pushUrl.href).toBe(
      'https://x/prefix/loki/api/v1/push',
    );
    const o = normalizeOptions({
      url,
      tenant: 't1',
      basicAuth: { username: 'u', password: 'p' },
      headers: { 'X-A': '1' },
    });
    expect(o.headers).toEqual({
      'X-A': '1',
      'X-Scope-OrgID': 't1',
      Authorization: `Basic ${Buffer.from('u:p').toString('base64')}`,
    });
    expect(normalizeOptions({ url, bearerToken: 'abc' }).headers.Authorization).toBe('Bearer abc');
    expect(normalizeOptions({ url, labels: { 'service.name': 'api' } }).labels).toEqual({ service_name: 'api' });
  });
});

describe('records', () => {
  it('convert pino objects and winston infos', () => {
    const r = toRecord({
      level: 40,
      time: 5,
      name: 'pactown.x',
      msg: 'hi',
      pid: 1,
      hostname: 'h',
      userId: 'u',
      err: { type: 'E', message: 'm', stack: 's' },
    });
    expect(r).toMatchObject({
      level: 40,
      levelName: 'WARNING',
      name: 'pactown.x',
      message: 'hi',
      time: 5,
      fields: { userId: 'u' },
      err: { type: 'E', message: 'm' },
    });
    expect(toRecord({ level: 'fatal', msg: 'x', time: '2026-11-27T00:00:00.000Z' })).toMatchObject({
      level: 60,
      levelName: 'CRITICAL',
      time: Date.parse('2026-11-27T00:00:00Z'),
    });
    expect(fromWinston({ level: 'warn', message: 'w', logger: 'a.b', extra: 1 }, 'root')).toMatchObject({
      levelName: 'WARNING',
      name: 'a.b',
      message: 'w',
      fields: { extra: 1 },
    });
    expect(fromWinston({ level: 'silly', message: 'w' }, 'app')).toMatchObject({ levelName: 'TRACE', name: 'app' });
  });

  it('logfmt values are bare only when safe', () => {
    expect(logfmtValue('user123')).toBe('user123');
    expect(logfmtValue('a b')).toBe('"a b"');
    expect(logfmtValue('a=b')).toBe('"a=b"');
    expect(logfmtValue('')).toBe('""');
    expect(logfmtValue('line\nnext')).toBe('"line\\nnext"');
    expect(logfmtValue('nbsp\u00a0x')).toBe('"nbsp\u00a0x"');
    expect(logfmtValue(3)).toBe('3');
    expect(logfmtValue(['a'])).toBe('"[\\"a\\"]"');
  });

  it('logfmt string values are what the bare test and JSON quoting give, character for character', () => {
    // The scan that picks bare, quoted as is, or JSON-escaped must agree with the regex and
    // JSON.stringify on every character: spaces of every kind, controls, DEL and C1, quotes,
    // backslashes, surrogate pairs and lone surrogates; short texts and long ones.
    const reference = (t: string) =>
      t.length > 0 && !/[\u0000-\u0020"=\\\u007f-\u009f\s]/.test(t) ? t : JSON.stringify(t);
    const special = fc.constantFrom(
      ...' \t\n\r\u000b\u000c\u0000\u001f"\\=\u007f\u0080\u0085\u009f\u00a0\u00a1\u1680\u180e\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\ufffd\ud800\udfff\ud83d\ude00é✓'.split(
        '',
      ),
    );
    const text = fc
      .array(
        fc.oneof(
          fc.string({ maxLength: 8 }),
          fc.string({ unit: 'grapheme', maxLength: 4 }),
          fc.string({ unit: 'binary', maxLength: 4 }),
          special,
        ),
        { maxLength: 80 },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect(logfmtValue(t)).toBe(reference(t));
      }),
      { numRuns: 3000 },
    );
    for (let c = 0; c < 0x10000; c++) {
      const t = `a${String.fromCharCode(c)}b`;
      expect(logfmtValue(t)).toBe(reference(t));
    }
    const long = `${'word '.repeat(100)}\u2028"end"`;
    expect(logfmtValue(long)).toBe(reference(long));
  });
});

describe('public API', () => {
  it('has no Prometheus writer of its own (apps serve metrics() through prom-client)', async () => {
    const api = await import('../src/index.js');
    expect(Object.keys(api)).not.toContain('toPrometheus');
  });
});

describe('public types', () => {
  it('have the agreed shapes', () => {
    expectTypeOf(createLokiClient).parameter(0).toEqualTypeOf<LokiOptions>();
    expectTypeOf(createLokiClient).returns.toEqualTypeOf<LokiClient>();
    expectTypeOf<LokiClient['push']>().returns.toEqualTypeOf<boolean>();
    expectTypeOf<LokiClient['flush']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<LokiClient['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<LokiClient['metrics']>().returns.toEqualTypeOf<LokiMetrics>();
    expectTypeOf(lokiHandler).returns.toHaveProperty('handle');
    expectTypeOf<LokiTransport['client']>().toEqualTypeOf<LokiClient>();
  });
});
