import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PATTERN,
  jsonFormatter,
  type LogRecord,
  ndjsonFormatter,
  patternFormatter,
  prettyFormatter,
  type SerializedError,
  serializeError,
} from '../src/index.js';

const TIME = new Date(2026, 10, 26, 23, 59, 59, 123).getTime();

function record(over: Partial<LogRecord> = {}): LogRecord {
  return {
    level: 30,
    levelName: 'INFO',
    name: 'pactown.sandbox',
    message: 'Creating sandbox for service_123',
    time: TIME,
    pid: 4242,
    hostname: 'box',
    fields: {},
    ...over,
  };
}

describe('patternFormatter', () => {
  it("prints Python's default layout", () => {
    expect(DEFAULT_PATTERN).toBe('%(asctime)s [%(levelname)s] %(name)s: %(message)s');
    expect(patternFormatter()(record())).toBe(
      '2026-11-26 23:59:59,123 [INFO] pactown.sandbox: Creating sandbox for service_123',
    );
  });

  it('supports the record attributes, bound fields and printf widths', () => {
    const f = patternFormatter(
      '%(levelname)-8s|%(levelno)d|%(process)d|%(hostname)s|%(msecs)03d|%(created).3f|%(service)s|%(port)5d|%(name).7s|%%',
    );
    expect(f(record({ level: 40, levelName: 'WARNING', fields: { service: 'svc', port: 80 } }))).toBe(
      `WARNING |40|4242|box|123|${(TIME / 1000).toFixed(3)}|svc|   80|pactown|%`,
    );
    expect(patternFormatter('[%(missing)s]', { missing: '-' })(record())).toBe('[-]');
    expect(patternFormatter('%(asctime)s', { datefmt: '%d/%m/%Y %H:%M' })(record())).toBe('26/11/2026 23:59');
  });

  it('prints an error stack after the message, on its own lines', () => {
    const err = serializeError(new TypeError('bad port'));
    const out = patternFormatter('%(levelname)s %(message)s')(
      record({ levelName: 'ERROR', level: 50, message: 'failed', err }),
    );
    const lines = out.split('\n');
    expect(lines[0]).toBe('ERROR failed');
    expect(lines[1]).toBe('TypeError: bad port');
    expect(lines[2]).toMatch(/^\s+at /);
  });

  it('escapes newlines and control characters in the message', () => {
    const out = patternFormatter('%(message)s')(record({ message: 'a\nINFO forged\r\u001b[31m\u2028' }));
    expect(out).toBe('a\\nINFO forged\\r\\x1b[31m\\u2028');
  });

  it('property: without an error, any message yields exactly one line', () => {
    const f = patternFormatter();
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (message, service) => {
        const out = f(record({ message, name: service || 'x', fields: { service } }));
        expect(out.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/).length).toBe(1);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }),
    );
  });

  it('an error message cannot forge a log line through the stack', () => {
    const forged = '\n2026-11-26 23:59:59,123 [INFO] pactown.auth: admin logged in';
    const err = new Error(`bad input${forged}`, { cause: new Error(`inner${forged}`) });
    for (const f of [patternFormatter(), prettyFormatter({ colorize: false })]) {
      const lines = f(record({ levelName: 'ERROR', level: 50, message: 'failed', err: serializeError(err) })).split(
        '\n',
      );
      expect(lines.filter((l) => l.includes('[INFO] pactown.auth')).every((l) => !/^\d/.test(l))).toBe(true);
      expect(lines.some((l) => l.startsWith('Error: bad input\\n2026-11-26'))).toBe(true);
      expect(lines.some((l) => l.startsWith('Caused by: Error: inner\\n2026-11-26'))).toBe(true);
      expect(lines.filter((l) => /^\s+at /.test(l)).length).toBeGreaterThan(2);
    }
  });

  it('property: with an error, only the record line, the error line and "Caused by:" lines start a line; the rest is indented', () => {
    const f = patternFormatter();
    const p = prettyFormatter({ colorize: false });
    const text = fc.string({ unit: 'binary' });
    const lineish = fc.oneof(
      text,
      fc.constant('\n2026-11-26 23:59:59,123 [INFO] x: forged'),
      fc.constant('\r\n[INFO] x'),
      fc.constant('\u2028y'),
    );
    const message = fc.array(lineish, { maxLength: 4 }).map((parts) => parts.join(''));
    // Errors given as plain objects (not Error instances) carry any type and stack text, hostile ones included.
    const forgedLine = fc.constantFrom(
      '2026-11-26 23:59:59,123 [INFO] pactown.auth: admin logged in',
      '[INFO] x',
      'pactown.auth: admin logged in',
      '\u001b[2K\r2026 [INFO] x',
      '\u001b[31mINFO\u001b[0m x',
    );
    const hostile = fc
      .array(fc.oneof(lineish, forgedLine), { minLength: 1, maxLength: 4 })
      .map((parts) => parts.join(''));
    const error = fc.record(
      {
        type: fc.oneof(fc.constantFrom('Error', 'TypeError', 'MyError'), hostile),
        message,
        stack: fc.option(
          fc.oneof(
            message,
            hostile,
            fc.tuple(forgedLine, hostile).map(([first, more]) => `${first}\n${more}`),
            fc.array(lineish, { maxLength: 6 }).map((parts) => `Error: x\n    at f (a.js:1:1)${parts.join('\n')}`),
          ),
          { nil: undefined },
        ),
      },
      { requiredKeys: ['type', 'message'] },
    );
    // What may start an error's first line: a name, as V8 writes it, maybe with Node's [CODE].
    const head = /^[A-Za-z_$][\w$.]*(?: \[[^\]\n]*\])?(?::|$)/;
    fc.assert(
      fc.property(message, fc.array(error, { minLength: 1, maxLength: 3 }), (msg, chain) => {
        const err = chain.reduceRight<SerializedError | undefined>(
          (cause, e) => ({ ...e, ...(cause === undefined ? {} : { cause }) }),
          undefined,
        )!;
        for (const out of [f(record({ message: msg, err })), p(record({ message: msg, err }))]) {
          expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
          const lines = out.split('\n');
          const starts = lines.slice(1).filter((l) => l !== '' && !/^\s/.test(l));
          expect(starts).toHaveLength(chain.length);
          expect(starts.slice(1).every((l) => l.startsWith('Caused by: '))).toBe(true);
          expect(lines.slice(1).every((l) => !l.startsWith('2026'))).toBe(true);
          for (const [i, l] of starts.entries()) {
            const first = i === 0 ? l : l.slice('Caused by: '.length);
            expect(first).toMatch(head);
          }
        }
      }),
    );
  });

  it('a plain-object error cannot set its first line through its stack or type', () => {
    const f = patternFormatter('%(name)s: %(message)s');
    const lines = (err: SerializedError) =>
      f(record({ levelName: 'ERROR', level: 50, message: 'failed', err }))
        .split('\n')
        .slice(1);
    expect(lines({ type: 'Error', message: 'm', stack: 'pactown.auth: admin logged in' })).toEqual([
      'Error: m',
      '    pactown.auth: admin logged in',
    ]);
    expect(lines({ type: 'Error', message: 'm', stack: 'm\n2026-11-26 [INFO] forged' })).toEqual([
      'Error: m',
      '    m',
      '    2026-11-26 [INFO] forged',
    ]);
    expect(lines({ type: 'Error', message: 'm', stack: 'Other: n\n    at f (a.js:1:1)' })).toEqual([
      'Error: m',
      '    Other: n',
      '    at f (a.js:1:1)',
    ]);
    expect(lines({ type: '2026-11-26 23:59:59,123 [INFO] pactown.auth', message: 'admin logged in' })).toEqual([
      'Error: admin logged in',
      '    type: 2026-11-26 23:59:59,123 [INFO] pactown.auth',
    ]);
    expect(lines({ type: 'Error\n2026 [INFO] x: forged\u001b[2K', message: 'm', stack: 'q' })).toEqual([
      'Error: m',
      '    type: Error\\n2026 [INFO] x: forged\\x1b[2K',
      '    q',
    ]);
    // A stack V8 wrote still gives the first line, Node's [CODE] included.
    expect(
      lines({ type: 'TypeError', message: 'bad\nport', stack: 'TypeError [ERR_X]: bad\nport\n    at f (a.js:1:1)' }),
    ).toEqual(['TypeError [ERR_X]: bad\\nport', '    at f (a.js:1:1)']);
    expect(lines({ type: 'MyError', message: '', stack: 'Error\n    at f (a.js:1:1)' })).toEqual([
      'Error',
      '    at f (a.js:1:1)',
    ]);
  });

  it('property: widths and alignment hold for printable values', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme-ascii' }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        fc.integer({ min: 0, max: 40 }),
        fc.boolean(),
        (value, width, left) => {
          const out = patternFormatter(`<%(v)${left ? '-' : ''}${width}s>`)(record({ fields: { v: value } }));
          const inner = out.slice(1, -1);
          expect(inner.length).toBe(Math.max(width, value.length));
          expect(left ? inner.startsWith(value) : inner.endsWith(value)).toBe(true);
        },
      ),
    );
  });

  it('property: numeric widths pad to the width', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: 1, max: 12 }), (n, width) => {
        const out = patternFormatter(`%(n)0${width}d`)(record({ fields: { n } }));
        expect(out.length).toBe(Math.max(width, String(n).length));
        expect(Number(out)).toBe(n);
      }),
    );
  });
});

describe('jsonFormatter', () => {
  it("writes the seed's shape plus fields", () => {
    const out = JSON.parse(jsonFormatter()(record({ fields: { service: 'svc', port: 8001 } })));
    expect(out).toEqual({
      timestamp: new Date(TIME).toISOString(),
      level: 'INFO',
      logger: 'pactown.sandbox',
      message: 'Creating sandbox for service_123',
      service: 'svc',
      port: 8001,
    });
    expect(Object.keys(out).slice(0, 4)).toEqual(['timestamp', 'level', 'logger', 'message']);
  });

  it('keeps core keys safe from fields and serializes odd values', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const out = JSON.parse(
      jsonFormatter({ timestamp: 'asctime' })(
        record({ fields: { level: 'x', big: 10n, c: circular, u: undefined }, err: serializeError(new Error('e')) }),
      ),
    );
    expect(out.level).toBe('INFO');
    expect(out['fields.level']).toBe('x');
    expect(out.big).toBe('10');
    expect(out.c).toEqual({ a: 1, self: '[Circular]' });
    expect(out).not.toHaveProperty('u');
    expect(out.timestamp).toBe('2026-11-26 23:59:59,123');
    expect(out.err).toMatchObject({ type: 'Error', message: 'e' });
  });

  it('property: any message, name and string fields round-trip through JSON.parse', () => {
    const f = jsonFormatter();
    const n = ndjsonFormatter();
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({
          unit: fc.oneof(
            fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
            fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
          ),
        }),
        fc.dictionary(
          fc
            .string()
            .filter((k) => !['timestamp', 'level', 'logger', 'message', 'pid', 'hostname', '__proto__'].includes(k)),
          fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean()),
        ),
        (message, name, fields) => {
          const wellFormed = (s: string) => s;
          const parsed = JSON.parse(f(record({ message, name, fields })));
          expect(parsed.message).toBe(wellFormed(message));
          expect(parsed.logger).toBe(wellFormed(name));
          for (const [k, v] of Object.entries(fields))
            expect(parsed[k]).toEqual(typeof v === 'string' ? wellFormed(v) : v);
          expect(JSON.parse(n(record({ message, name, fields }))).msg).toBe(wellFormed(message));
        },
      ),
    );
  });

  it('ndjsonFormatter writes pino lines', () => {
    expect(JSON.parse(ndjsonFormatter()(record({ fields: { a: 1 } })))).toEqual({
      level: 30,
      time: TIME,
      pid: 4242,
      hostname: 'box',
      name: 'pactown.sandbox',
      a: 1,
      msg: 'Creating sandbox for service_123',
    });
  });
});

describe('prettyFormatter', () => {
  it('uses color only when asked or on a TTY', () => {
    const env = { ...process.env };
    delete process.env.FORCE_COLOR;
    delete process.env.NO_COLOR;
    try {
      expect(prettyFormatter({ stream: { isTTY: false } })(record())).not.toContain('\u001b[');
      expect(prettyFormatter({ stream: { isTTY: true } })(record())).toContain('\u001b[32m');
      expect(prettyFormatter({ colorize: true })(record())).toContain('\u001b[');
      expect(prettyFormatter({ colorize: false, stream: { isTTY: true } })(record({ fields: { a: 'b c' } }))).toBe(
        '23:59:59.123 INFO     pactown.sandbox: Creating sandbox for service_123 a="b c"',
      );
    } finally {
      process.env = env;
    }
  });
});
