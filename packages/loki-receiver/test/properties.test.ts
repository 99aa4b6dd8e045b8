import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goQuote } from '../src/go-quote.js';
import { readGoString } from '../src/go-quote.js';
import { type LokiReceiver, formatLabels, startLokiReceiver } from '../src/index.js';
import { parseLogQuery, parsePushLabels } from '../src/logql/parser.js';
import { compareTs, joinNs, nsString, parseNsString, splitNs } from '../src/timestamp.js';
import { nowNs, protobufBody, push } from './helpers.js';

// Text without lone surrogates (Go strings are UTF-8, so those cannot travel).
const text = fc.string({ unit: 'binary', maxLength: 40 });
const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,20}$/).filter((n) => !n.startsWith('__'));

/** Go's regexp.QuoteMeta. */
const quoteMeta = (s: string) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');

describe('Go string literals', () => {
  it('goQuote then readGoString gives the value back', () => {
    fc.assert(
      fc.property(text, (value) => {
        const quoted = goQuote(value);
        expect(readGoString(quoted, 0)).toEqual({ value, end: quoted.length });
      }),
      { numRuns: 500 },
    );
  });

  it('quotes like strconv.Quote on known cases', () => {
    expect(goQuote('a"b\\c\n\t\u0001\u007f é ☃ \u00a0')).toBe('"a\\"b\\\\c\\n\\t\\x01\\x7f é ☃ \\u00a0"');
    expect(readGoString('"\\xe2\\x98\\x83 \\u2603 \\U0001F600 \\101"', 0).value).toBe('☃ ☃ 😀 A');
    expect(readGoString('`raw \\n`', 0).value).toBe('raw \\n');
  });
});

describe('nanosecond timestamps as [ms, ns] pairs', () => {
  const ns = fc.bigInt({ min: -(2n ** 62n), max: 2n ** 63n - 1n });
  it('split, join, print and parse agree with BigInt arithmetic', () => {
    fc.assert(
      fc.property(ns, ns, (a, b) => {
        const [ms, sub] = splitNs(a);
        expect(sub).toBeGreaterThanOrEqual(0);
        expect(sub).toBeLessThan(1_000_000);
        expect(joinNs(ms, sub)).toBe(a);
        expect(nsString(ms, sub)).toBe(a.toString());
        expect(parseNsString(a.toString())).toEqual([ms, sub]);
        const [bms, bsub] = splitNs(b);
        expect(Math.sign(compareTs(ms, sub, bms, bsub))).toBe(a === b ? 0 : a < b ? -1 : 1);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('label sets', () => {
  it('formatLabels output parses back to the same labels', () => {
    fc.assert(
      fc.property(fc.dictionary(labelName, text, { minKeys: 1, maxKeys: 15 }), (labels) => {
        const parsed = Object.fromEntries(parsePushLabels(formatLabels(labels)));
        expect(parsed).toEqual(labels);
      }),
      { numRuns: 300 },
    );
  });

  it('a selector built with = and the quoted value matches exactly that value', () => {
    fc.assert(
      fc.property(
        labelName,
        text.filter((v) => v !== ''),
        text,
        (name, value, other) => {
          const q = parseLogQuery(`{${name}=${goQuote(value)}}`);
          expect(q.matchers[0]!.matches(value)).toBe(true);
          expect(q.matchers[0]!.matches(other)).toBe(other === value);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('=~ with a QuoteMeta-escaped value is anchored: matches the value, not a longer string', () => {
    fc.assert(
      fc.property(
        labelName,
        text.filter((v) => v !== ''),
        (name, value) => {
          const q = parseLogQuery(`{${name}=~${goQuote(quoteMeta(value))}}`);
          expect(q.matchers[0]!.matches(value)).toBe(true);
          expect(q.matchers[0]!.matches(`${value}x`)).toBe(false);
          expect(q.matchers[0]!.matches(`x${value}`)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses label names outside [a-zA-Z_][a-zA-Z0-9_]*', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 10 })
          .filter((n) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n) && !/^\s|\s$/.test(n)),
        (name) => {
          expect(() => parsePushLabels(`{${name}="v"}`)).toThrow(/parse error/);
        },
      ),
      { numRuns: 200 },
    );
    // Found by the property above: `{}` followed by LogQL's `#` comment once read as an empty label set.
    expect(() => parsePushLabels('{}#!="v"}')).toThrow(/parse error/);
  });
});

describe('line filters', () => {
  it('|= with a quoted needle finds exactly the lines containing it; |~ with QuoteMeta agrees', () => {
    fc.assert(
      fc.property(text, fc.array(text, { maxLength: 5 }), (needle, lines) => {
        const exact = parseLogQuery(`{a="b"} |= ${goQuote(needle)}`).stages[0] as { test(line: string): boolean };
        const re = parseLogQuery(`{a="b"} |~ ${goQuote(quoteMeta(needle))}`).stages[0] as {
          test(line: string): boolean;
        };
        for (const line of [...lines, `pre${needle}post`]) {
          expect(exact.test(line)).toBe(line.includes(needle));
          expect(re.test(line)).toBe(line.includes(needle));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('over HTTP', () => {
  let receiver: LokiReceiver;
  beforeAll(async () => {
    // These cases check selectors and filters; Loki 3's service_name and detected_level are checked in test/conformance.
    receiver = await startLokiReceiver({ discoverServiceName: false, discoverLogLevels: false });
  });
  afterAll(async () => {
    await receiver.close();
  });

  it('any label value pushed as protobuf selector text comes back from query_range unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        receiver.reset();
        const labels = { app: 'prop', v: value === '' ? '-' : value };
        const res = await push(
          receiver.url,
          protobufBody([{ labels: formatLabels(labels), entries: [{ ts: nowNs(), line: 'l' }] }]),
        );
        expect(res.status).toBe(204);
        const query = `{app="prop", v=${goQuote(labels.v)}}`;
        const answer = await fetch(`${receiver.url}/loki/api/v1/query_range?${new URLSearchParams({ query })}`);
        const body = (await answer.json()) as { data: { result: Array<{ stream: Record<string, string> }> } };
        expect(body.data.result.map((r) => r.stream)).toEqual([labels]);
      }),
      { numRuns: 40 },
    );
  });
});
