import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LEVELS, levelName, parseLevel } from '../src/index.js';

const pairs: Array<[string, number]> = [
  ['trace', 10],
  ['debug', 20],
  ['info', 30],
  ['warning', 40],
  ['warn', 40],
  ['error', 50],
  ['critical', 60],
  ['fatal', 60],
  ['notset', 0],
];

describe('levels', () => {
  it('uses pino numbers under Python names', () => {
    expect(LEVELS).toMatchObject({ TRACE: 10, DEBUG: 20, INFO: 30, WARNING: 40, ERROR: 50, CRITICAL: 60, NOTSET: 0 });
    expect(levelName(40)).toBe('WARNING');
    expect(levelName(60)).toBe('CRITICAL');
    expect(levelName(35)).toBe('Level 35');
  });

  it('parses both vocabularies in any case', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...pairs),
        fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        fc.constantFrom('', ' ', '\t'),
        ([name, n], caps, pad) => {
          const mixed = [...name].map((c, i) => (caps[i % caps.length] ? c.toUpperCase() : c)).join('');
          expect(parseLevel(`${pad}${mixed}${pad}`)).toBe(n);
        },
      ),
    );
  });

  it('accepts non-negative numbers and numeric strings', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (n) => {
        expect(parseLevel(n)).toBe(n);
        expect(parseLevel(String(n))).toBe(n);
      }),
    );
  });

  it('rejects anything else with a TypeError that lists the valid names', () => {
    const names = new Set(pairs.map(([n]) => n).concat('silent'));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string().filter((s) => !names.has(s.trim().toLowerCase()) && !/^\d+$/.test(s.trim())),
          fc.integer({ max: -1 }),
          fc.constant(Number.NaN),
          fc.constant(Number.NEGATIVE_INFINITY),
        ),
        (input) => {
          expect(() => parseLevel(input)).toThrow(TypeError);
          try {
            parseLevel(input);
          } catch (error) {
            expect((error as Error).message).toMatch(
              /^\[@pactown\/log-core\] Invalid level .*TRACE, DEBUG, INFO, WARNING \(warn\), ERROR, CRITICAL \(fatal\)/s,
            );
          }
        },
      ),
    );
    expect(() => parseLevel(null as unknown as string)).toThrow(TypeError);
    expect(() => parseLevel({} as unknown as string)).toThrow(TypeError);
  });

  it('round-trips every standard level through its name', () => {
    for (const n of [0, 10, 20, 30, 40, 50, 60]) expect(parseLevel(levelName(n))).toBe(n);
  });
});
