import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeOptions } from '../src/options.js';
import { toRecord } from '../src/record.js';
import { Shaper } from '../src/shape.js';
import type { LokiOptions } from '../src/types.js';
import { isBare, logfmtFormatter } from '../src/line-format.js';

function shaper(options: Partial<LokiOptions> = {}) {
  const o = normalizeOptions({ url: 'http://127.0.0.1:1', labels: { job: 'test' }, metricsInterval: 0, ...options });
  return new Shaper(o, logfmtFormatter(o));
}

/** What the general path makes of a line: JSON.parse, then toRecord, then shape. */
function general(s: Shaper, line: string) {
  const record = toRecord(JSON.parse(line));
  const shaped = s.shape(record);
  return shaped === null ? null : { ...shaped, time: record.time };
}

describe('isBare (logfmt values without quotes)', () => {
  // The definition, one character at a time.
  const reference = (text: string) =>
    text.length > 0 &&
    [...text].every((ch) => {
      const c = ch.charCodeAt(0);
      return !(c <= 0x20 || c === 0x22 || c === 0x3d || c === 0x5c || (c >= 0x7f && c <= 0x9f) || /\s/.test(ch));
    });

  it('matches the character-by-character definition', () => {
    for (const text of [
      '',
      'a',
      'a b',
      'x=y',
      'q"',
      'back\\slash',
      'tab\t',
      '\u0085',
      '\u00a0',
      '\u2028',
      '\u3000',
      '\ufeff',
      'é✓😀',
      '\u007f',
      '\u009f',
      '\u00a1',
    ]) {
      expect(isBare(text), JSON.stringify(text)).toBe(reference(text));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (text) => isBare(text) === reference(text)),
      { numRuns: 5000 },
    );
  });
});

describe('Shaper.shapeParsed (pino objects shaped in one pass)', () => {
  const pinoLines = [
    '{"level":30,"time":1795752890063,"pid":7910,"hostname":"vm","name":"pactown.sandbox","service":"service_0","msg":"Creating sandbox for service_0"}',
    '{"level":40,"time":1795752890064,"pid":7910,"hostname":"vm","name":"pactown.security","userId":"user4","anomaly":"RATE_LIMIT_EXCEEDED","msg":"RATE_LIMIT_EXCEEDED | user=user4 service=service_4 | 4/60 requests"}',
    '{"level":20,"time":1795752890064,"pid":7910,"hostname":"vm","name":"pactown.fast_start","deps":["fastapi","uvicorn"],"msg":"Cache hit: venv_17156075"}',
    '{"level":30,"time":1795752890064,"pid":7910,"hostname":"vm","name":"pactown.runner","service":"service_7","status":200,"elapsedMs":7.5,"msg":"✓ Server responding (status 200)"}',
  ];

  it('takes pino’s own objects, and shapes them exactly as the general path does', () => {
    const fast = shaper();
    const slow = shaper();
    for (const line of pinoLines) {
      const got = fast.shapeParsed(JSON.parse(line));
      expect(got, line).not.toBeNull();
      expect(got).toEqual(general(slow, line));
    }
    expect(fast.shapeParsed(JSON.parse(pinoLines[1]!))?.line).toBe(
      'level=warning logger=pactown.security msg="RATE_LIMIT_EXCEEDED | user=user4 service=service_4 | 4/60 requests" user=user4 anomaly=RATE_LIMIT_EXCEEDED',
    );
  });

  it('gives the lines of many loggers and levels, shaped one after another, the stream and line the general path gives', () => {
    // One shaper for every line: the stream and prefix kept per logger and level are reused,
    // with standard and custom level numbers, level names, `logger` instead of `name`, no name.
    const levels: unknown[] = [10, 20, 30, 40, 50, 60, 35, 0, 70, 'warn', 'INFO', 30.5, null];
    const names: unknown[] = ['pactown.a', 'pactown.b', 'ünï', '', undefined, 'x'.repeat(40)];
    for (const labelFields of [undefined, ['level'], ['logger', 'level'], ['service', 'level']]) {
      const fast = shaper(labelFields === undefined ? {} : { labelFields });
      const slow = shaper(labelFields === undefined ? {} : { labelFields });
      for (let round = 0; round < 3; round++)
        for (const level of levels)
          for (const [i, name] of names.entries()) {
            const o: Record<string, unknown> = {
              level,
              time: 1_795_752_890_063 + i,
              msg: `m ${i}`,
              service: `s${i % 2}`,
            };
            if (name !== undefined) o[i % 2 === 0 ? 'name' : 'logger'] = name;
            const line = JSON.stringify(o);
            expect(fast.shapeParsed(JSON.parse(line)), line).toEqual(general(slow, line));
          }
    }
  });

  it('is off for other line formats, and leaves log-core records, errors and lines that are too long to the general path', () => {
    expect(shaper({ format: 'json' }).shapeParsed(JSON.parse(pinoLines[0]!))).toBeNull();
    expect(shaper({ maxLineBytes: 64 }).shapeParsed(JSON.parse(pinoLines[0]!))).toBeNull();
    expect(shaper().shapeParsed({ levelName: 'INFO', message: 'm', fields: {} })).toBeNull();
    expect(shaper().shapeParsed({ msg: 'boom', err: { message: 'boom', stack: 'Error: boom' } })).toBeNull();
  });

  it('never shapes an object differently from toRecord + shape', () => {
    const key = fc.oneof(
      fc.constantFrom(
        'level',
        'time',
        'msg',
        'message',
        'name',
        'logger',
        'pid',
        'hostname',
        'err',
        'v',
        'service',
        'userId',
        'user_id',
        'traceId',
        'constructor',
        'toString',
        '__proto__',
        'levelName',
        'a b',
        'x=y',
        '',
      ),
      fc.string({ unit: 'binary', maxLength: 5 }),
    );
    const text = fc.oneof(
      fc.constantFrom(
        '',
        'info',
        'warn',
        'ERROR',
        'api',
        '1795752890063',
        '2026-11-27T04:00:00Z',
        'a b',
        'x=y',
        'q"uote',
        '\u2028',
        ' ',
        '\u00a0',
        '\u0085',
      ),
      fc.string({ unit: 'binary', maxLength: 12 }),
    );
    const value = fc.oneof(
      text,
      fc.integer(),
      fc.constantFrom(0, 30, 40, 1795752890063, 0.5, 1e21, -1.25),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.oneof(text, fc.integer(), fc.constant(null), fc.array(fc.boolean(), { maxLength: 2 })), {
        maxLength: 3,
      }),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.oneof(text, fc.integer()), { maxKeys: 2 }),
    );
    const options = fc.record(
      {
        labelFields: fc.constantFrom(
          ['service', 'level', 'logger'],
          ['level'],
          ['service', 'userId', 'time'],
          ['pid', 'logger', 'deps'],
        ),
        structuredMetadata: fc.constantFrom(['userId', 'traceId'], ['service', 'a b', 'time'], []),
        metadataInLine: fc.boolean(),
        omitFields: fc.constantFrom(['pid', 'hostname'], ['service', 'a b'], []),
        renameFields: fc.constantFrom({ userId: 'user' }, { service: 'svc name', constructor: 'c' }, {}),
      },
      { requiredKeys: [] },
    );
    let fastLines = 0;
    fc.assert(
      fc.property(
        options as fc.Arbitrary<Partial<LokiOptions>>,
        fc.array(fc.tuple(key, value), { maxLength: 8 }),
        fc.option(fc.integer({ min: 0, max: 2 ** 42 }), { nil: undefined }),
        (opts, pairs, time) => {
          // Built by hand: `{"time":…}` first, then the pairs in their order, repeats and all.
          const parts = pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
          const line = `{${[...(time === undefined ? [] : [`"time":${time}`]), ...parts].join(',')}}`;
          const before = Date.now();
          const fast = shaper({ labels: { job: 'test' }, ...opts }).shapeParsed(JSON.parse(line));
          if (fast === null) return;
          fastLines++;
          const slow = general(shaper({ labels: { job: 'test' }, ...opts }), line);
          const after = Date.now();
          expect({ ...fast, time: 0 }).toEqual({ ...slow, time: 0 });
          // A line without a usable time gets the clock's on both paths, maybe a millisecond apart.
          if (fast.time !== slow!.time)
            for (const t of [fast.time, slow!.time]) expect(t >= before && t <= after).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    // The property means something only if the fast path ran on a good share of the lines.
    expect(fastLines).toBeGreaterThan(300);
  });
});
