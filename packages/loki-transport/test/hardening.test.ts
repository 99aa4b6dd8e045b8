import http from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamClock } from '../src/batch.js';
import { HttpClient } from '../src/http.js';
import { Counters } from '../src/metrics.js';
import { normalizeOptions } from '../src/options.js';
import { BatchQueue } from '../src/queue.js';
import { Sender } from '../src/sender.js';
import { logfmtFormatter } from '../src/line-format.js';
import { toRecord } from '../src/record.js';
import { Shaper } from '../src/shape.js';
import { createLokiClient } from '../src/index.js';

const url = 'http://127.0.0.1:1';

describe('header options', () => {
  it('refuse header names that are not tokens and values with CR, LF or NUL, naming the option', () => {
    expect(() => normalizeOptions({ url, headers: { 'Bad Header': 'x' } })).toThrow(TypeError);
    expect(() => normalizeOptions({ url, headers: { 'Bad Header': 'x' } })).toThrow(/'headers\.Bad Header'/);
    expect(() => normalizeOptions({ url, headers: { '': 'x' } })).toThrow(/'headers\./);
    expect(() => normalizeOptions({ url, headers: { 'X-A': 'a\r\nX-Injected: 1' } })).toThrow(/'headers\.X-A'/);
    expect(() => normalizeOptions({ url, headers: { 'X-A': 'a\0b' } })).toThrow(/'headers\.X-A'/);
    expect(() => normalizeOptions({ url, tenant: 'a\nb' })).toThrow(/'tenant'/);
    expect(() => normalizeOptions({ url, bearerToken: 'tok\r\n' })).toThrow(/'bearerToken'/);
    expect(() => normalizeOptions({ url, basicAuth: { username: 'u\n', password: 'p' } })).toThrow(/'basicAuth'/);
    expect(() => normalizeOptions({ url, basicAuth: { username: 'u', password: 'p\r' } })).toThrow(/'basicAuth'/);
    // Secrets are not shown in the message.
    expect(() => normalizeOptions({ url, bearerToken: 'secret\n' })).not.toThrow(/secret/);
    expect(() => createLokiClient({ url, headers: { 'Bad Header': 'x' } })).toThrow(TypeError);
  });

  it('accept ordinary header names and values', () => {
    const o = normalizeOptions({
      url,
      headers: { "X-Weird!#$%&'*+-.^_`|~9": 'a b\tc é' },
      tenant: 'team-a|team-b',
      bearerToken: 'abc.def-ghi',
    });
    expect(o.headers["X-Weird!#$%&'*+-.^_`|~9"]).toBe('a b\tc é');
    expect(o.headers['X-Scope-OrgID']).toBe('team-a|team-b');
  });
});

describe('the request path', () => {
  it('turns a synchronous throw of http.request into a result, not a rejection', async () => {
    const http = new HttpClient(new URL(url), {}, 1000);
    const res = await http.request('POST', new URL(url), { 'Bad Header': 'x' }, Buffer.from('x'));
    http.destroy();
    expect(res.kind).toBe('error');
  });

  it('counts a failed request that cannot be made as rejected and reports it once', async () => {
    const warnings: string[] = [];
    const o = normalizeOptions({ url, metricsInterval: 0, onWarning: (m) => warnings.push(m) });
    const counters = new Counters();
    const queue = new BatchQueue();
    const failing = {
      request: () => {
        throw new Error('boom');
      },
    } as unknown as HttpClient;
    const sender = new Sender(o, failing, counters, queue, null);
    queue.push({ body: Buffer.from('x'), file: null, size: 1, lines: 3, lineBytes: 30, wire: 'json', gzip: false });
    queue.push({ body: Buffer.from('y'), file: null, size: 1, lines: 2, lineBytes: 20, wire: 'json', gzip: false });
    sender.kick();
    await sender.whenIdle();
    expect(counters.droppedLines.rejected).toBe(5);
    expect(queue.length).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/boom/);
  });
});

describe('URLs in names and messages', () => {
  it('leave out credentials and the query string', async () => {
    const { lokiHandler } = await import('../src/log-core.js');
    const h = lokiHandler({
      url: 'http://user:tok3n@127.0.0.1:1/base?api_key=s3cret#frag',
      metricsInterval: 0,
      onWarning: () => {},
    });
    try {
      expect(h.name).toBe('loki:http://127.0.0.1:1/base');
    } finally {
      await h.client.close();
    }
  });

  it('leave out credentials in a TypeError about the url', () => {
    const shown = (u: string) => {
      try {
        normalizeOptions({ url: u });
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };
    expect(shown('ftp://user:tok3n@host/x?key=s3cret')).toMatch(/'url'/);
    expect(shown('ftp://user:tok3n@host/x?key=s3cret')).not.toMatch(/tok3n|s3cret|user:/);
    expect(shown('http://user:tok3n@[bad/x?key=s3cret')).not.toMatch(/tok3n|s3cret|user:/);
  });
});

describe('static labels', () => {
  it('refuse a value over 2048 bytes with a TypeError naming the label', () => {
    expect(() => normalizeOptions({ url, labels: { service: 'x'.repeat(3000) } })).toThrow(TypeError);
    expect(() => normalizeOptions({ url, labels: { service: 'x'.repeat(3000) } })).toThrow(/'labels\.service'/);
    expect(() => normalizeOptions({ url, labels: { service: 'é'.repeat(1025) } })).toThrow(/2048 bytes/);
    expect(normalizeOptions({ url, labels: { service: 'x'.repeat(2048) } }).labels.service).toHaveLength(2048);
  });
});

describe('the level label', () => {
  const o = normalizeOptions({ url, labels: { job: 'test' }, metricsInterval: 0 });
  const s = new Shaper(o, logfmtFormatter(o));
  const SIX = ['trace', 'debug', 'info', 'warning', 'error', 'critical'];

  it('maps a custom level number to the nearest standard level at or below it; the line keeps the number', () => {
    const shaped = s.shape(toRecord({ level: 35, time: 1, msg: 'm' }))!;
    expect(shaped.labels.level).toBe('info');
    expect(shaped.line).toContain('level="level 35"');
    const parsed = s.shapeParsed({ level: 35, time: 1, msg: 'm' })!;
    expect(parsed.labels.level).toBe('info');
    expect(parsed.line).toBe(shaped.line);
    expect(s.shape(toRecord({ level: 45, msg: 'm' }))!.labels.level).toBe('warning');
    expect(s.shape(toRecord({ level: 99, msg: 'm' }))!.labels.level).toBe('critical');
    expect(s.shape(toRecord({ level: 5, msg: 'm' }))!.labels.level).toBe('trace');
    // A log-core record with a level name of its own.
    const r = { ...toRecord({ level: 25, msg: 'm' }), levelName: 'NOTICE' };
    expect(s.shape(r)!.labels.level).toBe('debug');
  });

  it('has six values at most, whatever the level number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -100, max: 200 }), fc.double()), (level) => {
        expect(SIX).toContain(s.shape(toRecord({ level, msg: 'm' }))!.labels.level);
        expect(SIX).toContain(s.shapeParsed({ level, msg: 'm' })!.labels.level);
      }),
      { numRuns: 500 },
    );
  });
});

describe('StreamClock', () => {
  it('gives late records of a repeated millisecond increasing nanoseconds too', () => {
    const clock = new StreamClock();
    const stamp = (t: number) => {
      const { ms, sub } = clock.stamp('{a="b"}', t);
      return `${ms}.${sub}`;
    };
    expect([stamp(100), stamp(100), stamp(101), stamp(100), stamp(99), stamp(99), stamp(100), stamp(101)]).toEqual([
      '100.0',
      '100.1',
      '101.0',
      '100.2',
      '99.0',
      '99.1',
      '100.3',
      '101.1',
    ]);
  });

  it('never stamps two lines of a stream alike, and keeps their order within a millisecond', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('{a="1"}', '{a="2"}'), fc.integer({ min: 1000, max: 1030 })), {
          maxLength: 400,
        }),
        (lines) => {
          const clock = new StreamClock();
          const seen = new Map<string, number>();
          for (const [selector, time] of lines) {
            const { ms, sub } = clock.stamp(selector, time);
            expect(ms).toBe(time);
            const key = `${selector}@${ms}`;
            const last = seen.get(key);
            if (last !== undefined) expect(sub).toBeGreaterThan(last);
            seen.set(key, sub);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
  it('stamps as a clock remembering the last 64 earlier milliseconds in a Map would', () => {
    // The reference: each stream's earlier milliseconds in insertion order, the first let go first.
    const reference = () => {
      const last = new Map<string, { ms: number; sub: number; late: Map<number, number> }>();
      const remember = (late: Map<number, number>, ms: number, next: number) => {
        if (!late.has(ms) && late.size >= 64) late.delete(late.keys().next().value!);
        late.set(ms, next);
      };
      return (selector: string, ms: number) => {
        const s = last.get(selector);
        if (s === undefined) {
          last.set(selector, { ms, sub: 0, late: new Map() });
          return 0;
        }
        if (ms === s.ms) return (s.sub = Math.min(s.sub + 1, 999_999));
        if (ms > s.ms) {
          remember(s.late, s.ms, Math.min(s.sub + 1, 999_999));
          s.ms = ms;
          return (s.sub = 0);
        }
        const sub = s.late.get(ms) ?? 0;
        remember(s.late, ms, Math.min(sub + 1, 999_999));
        return sub;
      };
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('{a="1"}', '{a="2"}'), fc.integer({ min: 1000, max: 1200 })), {
          maxLength: 600,
        }),
        (lines) => {
          const clock = new StreamClock();
          const ref = reference();
          for (const [selector, time] of lines) expect(clock.stamp(selector, time).sub).toBe(ref(selector, time));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('headers on the wire', () => {
  it('sends the bearer token, the tenant and custom headers with pushes and /ready', async () => {
    const seen: Array<{ path: string | undefined; headers: http.IncomingHttpHeaders }> = [];
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push({ path: req.url, headers: req.headers });
        res.writeHead(req.url === '/ready' ? 200 : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const c = createLokiClient({
      url: base,
      bearerToken: 'tok-123',
      tenant: 'team-a',
      headers: { 'X-Extra': 'one', 'X-Other': 'two words' },
      metricsInterval: 0,
    });
    try {
      expect(await c.ready()).toBe(true);
      c.push({ level: 30, time: Date.now(), msg: 'x' });
      await c.flush();
      expect(c.metrics().sentLines).toBe(1);
    } finally {
      await c.close();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(seen.map((r) => r.path)).toEqual(['/ready', '/loki/api/v1/push']);
    for (const { headers } of seen) {
      expect(headers.authorization).toBe('Bearer tok-123');
      expect(headers['x-scope-orgid']).toBe('team-a');
      expect(headers['x-extra']).toBe('one');
      expect(headers['x-other']).toBe('two words');
    }
  });
});

describe('tls options', () => {
  it('throw TypeErrors naming the field', () => {
    expect(() => normalizeOptions({ url, tls: { ca: 5 as never } })).toThrow(TypeError);
    expect(() => normalizeOptions({ url, tls: { ca: 5 as never } })).toThrow(/'tls\.ca'/);
    expect(() => normalizeOptions({ url, tls: { ca: ['x', 5] as never } })).toThrow(/'tls\.ca'/);
    expect(() => normalizeOptions({ url, tls: { cert: {} as never } })).toThrow(/'tls\.cert'/);
    expect(() => normalizeOptions({ url, tls: { key: 1 as never } })).toThrow(/'tls\.key'/);
    expect(() => normalizeOptions({ url, tls: { rejectUnauthorized: 'no' as never } })).toThrow(
      /'tls\.rejectUnauthorized'/,
    );
    expect(() => normalizeOptions({ url, tls: { servername: 7 as never } })).toThrow(/'tls\.servername'/);
    expect(() => normalizeOptions({ url, tls: [] as never })).toThrow(/'tls'/);
    expect(() => normalizeOptions({ url, tls: 'x' as never })).toThrow(/'tls'/);
    // The key is not shown.
    expect(() => normalizeOptions({ url, tls: { key: 'PRIVATE', cert: 5 as never } })).not.toThrow(/PRIVATE/);
    const ok = { ca: ['a', 'b'], cert: 'c', key: 'k', rejectUnauthorized: false, servername: 'loki' };
    expect(normalizeOptions({ url, tls: ok }).tls).toEqual(ok);
    expect(normalizeOptions({ url, tls: { ca: 'a' } }).tls).toEqual({ ca: 'a' });
    // Node's own types for PEM data pass too.
    expect(() =>
      normalizeOptions({ url, tls: { ca: [Buffer.from('a')] as never, cert: Buffer.from('c') as never } }),
    ).not.toThrow();
  });
});

describe('Retry-After', () => {
  it('is followed up to maxBackoff', async () => {
    let pushes = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        pushes++;
        if (pushes === 1) res.writeHead(429, { 'Retry-After': '3600' }).end('slow down');
        else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const c = createLokiClient({
      url: base,
      minBackoff: 10,
      maxBackoff: 100,
      drainTimeout: 10_000,
      metricsInterval: 0,
    });
    const t0 = performance.now();
    try {
      c.push({ level: 30, time: Date.now(), msg: 'x' });
      await c.flush();
    } finally {
      await c.close();
      await new Promise((resolve) => server.close(resolve));
    }
    expect(c.metrics()).toMatchObject({ sentLines: 1, retries: 1, requests: 2 });
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
