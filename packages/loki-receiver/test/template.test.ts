import { describe, expect, it } from 'vitest';
import { formatFloatF, formatFloatV } from '../src/go-float.js';
import { TemplateError, TemplateUnsupported, parseTemplate } from '../src/logql/template.js';

// Go's fmt and text/template behaviour the line_format and label_format stages rely on
// (docs: LogQL template functions; pkg/logql/log/fmt.go).

const run = (template: string, labels: Record<string, string> = {}, line = 'the line') => {
  const out = parseTemplate(template, 'line').execute({
    labels: (n) => labels[n],
    line,
    tsNs: 1_700_000_000_123_456_789n,
  });
  return out.ok ? out.text : `ERR ${out.error}`;
};

describe("Go's float formatting", () => {
  it('%v: shortest digits, an exponent below 1e-4 and from 1e6', () => {
    expect([1e6, 123456, 1.5, 0.0001, 0.00001, 1234567, 3, -2.5, 0.1 + 0.2].map(formatFloatV)).toEqual([
      '1e+06',
      '123456',
      '1.5',
      '0.0001',
      '1e-05',
      '1.234567e+06',
      '3',
      '-2.5',
      '0.30000000000000004',
    ]);
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY].map(formatFloatV)).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
    ]);
  });

  it("'f', -1: never an exponent", () => {
    expect([1e21, 1e-7, 1.5e-7, 123.456, -1e22].map(formatFloatF)).toEqual([
      '1000000000000000000000',
      '0.0000001',
      '0.00000015',
      '123.456',
      '-10000000000000000000000',
    ]);
  });
});

describe('templates', () => {
  it('fields, missing fields as "", trim markers and comments', () => {
    expect(run('{{.a}}-{{ .missing }}-{{/* note */}}x', { a: '1' })).toBe('1--x');
    expect(run('a  {{- .b -}}  c', { b: 'B' })).toBe('aBc');
  });

  it('printf verbs, widths and flags', () => {
    expect(run('{{ printf "%s|%5s|%-5s|%d|%05d|%.2f|%q|%x|%v|%%" "a" "b" "c" 42 7 3.14159 "q\\"" 255 1.5 }}')).toBe(
      'a|    b|c    |42|00007|3.14|"q\\""|ff|1.5|%',
    );
    expect(run('{{ printf "%d" "x" }}')).toBe('%!d(string=x)');
    // %q is Go's strconv.Quote: é stays, a control character is escaped.
    expect(run('{{ printf "%q" "é\\x01" }}')).toBe('"é\\x01"');
    expect(run('{{ printf "%q" "\x01" }}')).toBe('"\\x01"');
  });

  it('if / else if / else with comparisons, and/or/not', () => {
    const t = '{{ if eq .l "error" }}E{{ else if or (eq .l "warn") (eq .l "warning") }}W{{ else }}-{{ end }}';
    expect([run(t, { l: 'error' }), run(t, { l: 'warning' }), run(t, { l: 'info' })]).toEqual(['E', 'W', '-']);
    expect(run('{{ if not .x }}none{{ end }}{{ if and .a .b }}both{{ end }}', { a: '1', b: '2' })).toBe('noneboth');
    expect(run('{{ if gt (len .s) 3 }}long{{ end }}', { s: 'abcd' })).toBe('long');
  });

  it('pipelines pass the value as the last argument', () => {
    expect(run('{{ .p | trimPrefix "/api" | upper | printf "[%s]" }}', { p: '/api/users' })).toBe('[/USERS]');
    expect(run('{{ .v | default "-" }}|{{ "" | default "d" }}', { v: 'x' })).toBe('x|d');
  });

  it('__line__, __timestamp__ and the epoch functions', () => {
    expect(run('{{ __line__ }}')).toBe('the line');
    expect(run('{{ __timestamp__ | unixEpoch }} {{ unixEpochMillis __timestamp__ }}')).toBe('1700000000 1700000000123');
    expect(run('{{ __timestamp__ }}')).toBe('2023-11-14 22:13:20.123456789 +0000 UTC');
  });

  it('alignLeft, alignRight, Replace with a count, TrimLeft with a cutset, count, urlencode', () => {
    expect(run('[{{ alignLeft 5 "ab" }}][{{ alignRight 5 "ab" }}][{{ alignLeft 2 "abcd" }}]')).toBe(
      '[ab   ][   ab][ab]',
    );
    expect(run('{{ Replace "aaaa" "a" "b" 2 }} {{ TrimLeft "xxhixx" "x" }} {{ count "a+" "aa b aaa" }}')).toBe(
      'bbaa hixx 2',
    );
    expect(run('{{ urlencode "a b&c=d/é" }}')).toBe('a+b%26c%3Dd%2F%C3%A9');
  });

  it('a function that would build a huge text fails the line instead of the process', () => {
    expect(run('{{ repeat 100000000 "xy" }}')).toMatch(/^ERR .*repeat would make 200000000 characters/);
    expect(run('{{ printf "%900000000s" "x" }}')).toMatch(/^ERR .*printf width/);
    expect(run('{{ alignLeft 900000000 "x" }}')).toMatch(/^ERR .*alignLeft/);
    expect(run('{{ repeat 3 "ab" }}')).toBe('ababab');
  });

  it('execution errors come back as errors (TemplateFormatErr), parse errors and unsupported functions throw', () => {
    expect(run('{{ ToUpper 1 }}')).toMatch(/^ERR template: line:1: error calling ToUpper: wrong type for value/);
    expect(run('{{ div 1 0 }}')).toContain('integer divide by zero');
    expect(() => parseTemplate('{{ .a', 'line')).toThrow(TemplateError);
    expect(() => parseTemplate('{{ nope }}', 'line')).toThrow('function "nope" not defined');
    expect(() => parseTemplate('{{ end }}', 'line')).toThrow(TemplateError);
    expect(() => parseTemplate('{{ date "2006" __timestamp__ }}', 'line')).toThrow(TemplateUnsupported);
    expect(() => parseTemplate('{{ range .a }}{{ end }}', 'line')).toThrow(TemplateUnsupported);
  });
});
