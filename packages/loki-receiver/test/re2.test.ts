import { describe, expect, it } from 'vitest';
import { Re2Error, compileRe2 } from '../src/logql/re2.js';

const search = (pattern: string, input: string) => compileRe2(pattern, false).test(input);
const whole = (pattern: string, input: string) => compileRe2(pattern, true).test(input);

describe('RE2 to JavaScript', () => {
  it('turns a leading (?i) into case-insensitive matching', () => {
    expect(search('(?i)error', 'ERROR here')).toBe(true);
    expect(search('error', 'ERROR here')).toBe(false);
    expect(search('(?is)a.b', 'A\nB')).toBe(true);
  });

  it('anchors label matchers to the whole value, dot spanning newlines (Prometheus ^(?s:re)$)', () => {
    expect(whole('api', 'api')).toBe(true);
    expect(whole('api', 'api-gateway')).toBe(false);
    expect(whole('a|b', 'a')).toBe(true);
    expect(whole('a|b', 'ab')).toBe(false);
    expect(whole('a.*', 'a\nb')).toBe(true);
    expect(whole('(?m)a', 'a\na')).toBe(false);
  });

  it('keeps RE2 meanings that differ from JavaScript', () => {
    expect(search('\\s', '\u00a0')).toBe(false);
    expect(search('\\s', '\t')).toBe(true);
    expect(search('^\\Aab\\z$', 'ab')).toBe(true);
    expect(search('[[:digit:]]+x', 'a12x')).toBe(true);
    expect(search('[^[:alpha:]]', 'abc')).toBe(false);
    expect(search('\\pL+', 'été')).toBe(true);
    expect(search('\\p{Greek}', 'λ')).toBe(true);
    expect(search('\\Q.*+\\E', 'a.*+b')).toBe(true);
    expect(search('\\Q.*+\\E', 'aaa')).toBe(false);
    expect(search('(?P<word>\\w+)', 'x')).toBe(true);
    expect(search('\\x{263a}', '☺')).toBe(true);
    expect(search('\\101', 'A')).toBe(true);
    expect(search('a\\-b\\#', 'a-b#')).toBe(true);
    expect(search('[\\-a]', '-')).toBe(true);
    expect(search('a/b', 'a/b')).toBe(true);
  });

  it('refuses what RE2 refuses', () => {
    for (const p of ['(a)\\1', 'x(?=y)', 'x(?!y)', '(?<=x)y', '(?<!x)y', '\\C', '\\e', '(?>a)', '[a', 'a**', '\\']) {
      expect(() => compileRe2(p, false), p).toThrow(Re2Error);
    }
  });

  it('says so when a valid RE2 construct cannot be translated', () => {
    expect(() => compileRe2('a(?i)b', false)).toThrow(/not supported here/);
    expect(() => compileRe2('(?U)a+', false)).toThrow(/not supported here/);
  });
});
