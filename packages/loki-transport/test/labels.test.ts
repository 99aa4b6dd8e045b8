import { goQuote } from '@pactown/loki-receiver';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSelector, quoteLabelValue, sanitizeLabelName, truncateUtf8 } from '../src/labels.js';
import { normalizeOptions } from '../src/options.js';

/** Go's strconv.Unquote for double-quoted literals, written from the Go spec (independent of the quoting code). */
function goUnquote(text: string): string {
  expect(text.startsWith('"') && text.endsWith('"')).toBe(true);
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };
  for (let i = 0; i < body.length; ) {
    const ch = body[i]!;
    if (ch === '"') throw new Error('unescaped quote');
    if (ch !== '\\') {
      const cp = body.codePointAt(i)!;
      bytes.push(...Buffer.from(String.fromCodePoint(cp)));
      i += cp > 0xffff ? 2 : 1;
      continue;
    }
    const kind = body[i + 1]!;
    if (kind in simple) {
      bytes.push(simple[kind]!);
      i += 2;
    } else if (kind === 'x') {
      bytes.push(Number.parseInt(body.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (kind === 'u' || kind === 'U') {
      const n = kind === 'u' ? 4 : 8;
      bytes.push(...Buffer.from(String.fromCodePoint(Number.parseInt(body.slice(i + 2, i + 2 + n), 16))));
      i += 2 + n;
    } else throw new Error(`bad escape \\${kind}`);
  }
  return Buffer.from(bytes).toString('utf8');
}

const wellFormed = fc.string({ unit: 'binary', maxLength: 80 }).map((s) => s.replace(/[\uD800-\uDFFF]/g, 'x'));

describe('label names', () => {
  it('always come out valid for Loki', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (name) => {
        const clean = sanitizeLabelName(name);
        // Inside the issue's `[a-zA-Z_:][a-zA-Z0-9_:]*`, and without the colon Loki's push validation refuses.
        expect(clean).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]*$/);
        if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) expect(clean).toBe(name);
      }),
    );
  });

  it('examples', () => {
    expect(sanitizeLabelName('service.name')).toBe('service_name');
    expect(sanitizeLabelName('9lives')).toBe('_9lives');
    expect(sanitizeLabelName('')).toBe('_');
    expect(sanitizeLabelName('ok:name_1')).toBe('ok_name_1');
  });

  it('reserved __ names and more than 15 labels are TypeErrors naming the option', () => {
    expect(() => normalizeOptions({ url: 'http://127.0.0.1:1', labels: { __name__: 'x' } })).toThrow(
      /labels\.__name__/,
    );
    expect(() => normalizeOptions({ url: 'http://127.0.0.1:1', labelFields: ['__x'] })).toThrow(/labelFields/);
    const labels = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`l${i}`, 'v']));
    expect(() => normalizeOptions({ url: 'http://127.0.0.1:1', labels })).toThrow(/at most 15 labels/);
    expect(() =>
      normalizeOptions({
        url: 'http://127.0.0.1:1',
        labels: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`l${i}`, 'v'])),
      }),
    ).not.toThrow();
  });
});

describe('label values in the selector', () => {
  it('unquote (Go rules) back to the original value', () => {
    fc.assert(
      fc.property(wellFormed, (value) => {
        expect(goUnquote(quoteLabelValue(value))).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });

  it('print exactly as Go strconv.Quote (the receiver’s implementation) for printable ASCII and common escapes', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...Array.from('ab "\\\n\t\r\x00\x07\x1b\x7fé€😀')), maxLength: 30 }),
        (value) => {
          expect(quoteLabelValue(value)).toBe(goQuote(value));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('lone surrogates become U+FFFD', () => {
    expect(goUnquote(quoteLabelValue('a\uD800b'))).toBe('a\uFFFDb');
  });

  it('selector sorts names and separates with ", "', () => {
    expect(formatSelector({ service: 'api', level: 'info', logger: 'a"b' })).toBe(
      '{level="info", logger="a\\"b", service="api"}',
    );
  });

  it('truncateUtf8 never splits a character and respects the byte limit', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 0, max: 300 }), (value, max) => {
        const cut = truncateUtf8(value, max);
        expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(
          Math.max(max, value.length * 3 <= max ? Buffer.byteLength(value) : 0),
        );
        expect(value.startsWith(cut)).toBe(true);
      }),
    );
  });
});
