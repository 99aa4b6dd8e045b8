import { describe, expect, it } from 'vitest';
import { Re2Error, compileRe2 } from '../src/logql/re2.js';

// Go's regexp (RE2) semantics, as Loki runs line filters and Prometheus runs
// label matchers: https://github.com/google/re2/wiki/Syntax and Go's regexp/syntax.

const search = (pattern: string, input: string) => compileRe2(pattern, false).test(input);
const whole = (pattern: string, input: string) => compileRe2(pattern, true).test(input);

describe('RE2 semantics (re2js)', () => {
  it('reads flags anywhere, as RE2 does', () => {
    expect(search('(?i)error', 'ERROR here')).toBe(true);
    expect(search('error', 'ERROR here')).toBe(false);
    expect(search('(?is)a.b', 'A\nB')).toBe(true);
    expect(search('a(?i)b', 'aB')).toBe(true);
    expect(search('(?i:x)y', 'Xy')).toBe(true);
    expect(search('(?U)a+', 'aaa')).toBe(true);
  });

  it('anchors label matchers to the whole value, dot spanning newlines (Prometheus ^(?s:re)$)', () => {
    expect(whole('api', 'api')).toBe(true);
    expect(whole('api', 'api-gateway')).toBe(false);
    expect(whole('a|b', 'a')).toBe(true);
    expect(whole('a|b', 'ab')).toBe(false);
    expect(whole('a.*', 'a\nb')).toBe(true);
  });

  it("keeps Go's meanings where JavaScript differs", () => {
    expect(search('a.b', 'a\rb')).toBe(true);
    expect(search('a.b', 'a\u2028b')).toBe(true);
    expect(search('a.b', 'a\nb')).toBe(false);
    expect(search('(?m)^b', 'a\nb')).toBe(true);
    expect(search('^b', 'a\nb')).toBe(false);
    expect(search('\\s', '\u00a0')).toBe(false);
    expect(search('[[:digit:]]+x', 'a12x')).toBe(true);
    expect(search('\\pL+', 'été')).toBe(true);
    expect(search('\\p{Greek}', 'λ')).toBe(true);
    expect(search('\\Q.*+\\E', 'a.*+b')).toBe(true);
    expect(search('(?P<word>\\w+)', 'x')).toBe(true);
    expect(search('\\x{263a}', '☺')).toBe(true);
    expect(search('\\bword\\b', 'a word.')).toBe(true);
  });

  it("refuses what RE2 refuses, with Go's message", () => {
    for (const p of [
      '(a)\\1',
      'x(?=y)',
      'x(?!y)',
      '(?<=x)y',
      '(?<!x)y',
      '\\C',
      '(?>a)',
      '[a',
      'a**',
      '\\',
      'a{1001}',
    ]) {
      expect(() => compileRe2(p, false), p).toThrow(Re2Error);
    }
    expect(() => compileRe2('a{1001}', false)).toThrow('error parsing regexp: invalid repeat count: `{1001}`');
    expect(() => compileRe2('(a)\\1', true)).toThrow('error parsing regexp: invalid escape sequence: `\\1`');
  });
});
