import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamData } from '../src/store.js';

describe('StreamData', () => {
  it('keeps lines sorted by time (stable), drops exact duplicates, refuses lines beyond the window, a line or a push at a time', () => {
    const entry = fc.record({
      ms: fc.integer({ min: 0, max: 50 }),
      sub: fc.integer({ min: 0, max: 2 }),
      line: fc.constantFrom('a', 'ab', 'b', '', 'é', 'long line ☃'),
    });
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 60 }),
        fc.integer({ min: 0, max: 60 }),
        // 0: each line stored at once; n: lines stored n at a time as a push does (deferLate, settle).
        fc.integer({ min: 0, max: 8 }),
        (entries, windowMs, pushOf) => {
          const stream = new StreamData('{a="b"}', { a: 'b' });
          const model: Array<{ ms: number; sub: number; line: string }> = [];
          let highest: [number, number] | undefined;
          for (const [k, e] of entries.entries()) {
            if (pushOf > 0 && k % pushOf === 0) stream.deferLate();
            // Each line inside a buffer of its own, between other bytes, as a push carries it.
            const data = Buffer.from(`<<${e.line}>>`);
            const result = stream.append(e.ms, e.sub, data, 2, data.length - 2, undefined, windowMs);
            const cmp = (x: { ms: number; sub: number }, y: [number, number]) =>
              x.ms === y[0] ? x.sub - y[1] : x.ms - y[0];
            const last = model.at(-1);
            let expected: string;
            if (!last || cmp(e, [last.ms, last.sub]) > 0) expected = 'stored';
            else if (highest && cmp(e, [highest[0] - windowMs, highest[1]]) < 0) expected = 'too-far-behind';
            else if (model.some((m) => m.ms === e.ms && m.sub === e.sub && m.line === e.line)) expected = 'duplicate';
            else expected = 'stored';
            expect(result).toBe(expected);
            if (expected === 'stored') {
              let at = model.length;
              while (at > 0 && cmp(model[at - 1]!, [e.ms, e.sub]) > 0) at--;
              model.splice(at, 0, e);
              if (!highest || cmp(e, highest) > 0) highest = [e.ms, e.sub];
            }
            if (pushOf > 0 && (k % pushOf === pushOf - 1 || k === entries.length - 1)) stream.settle();
          }
          expect(stream.size).toBe(model.length);
          for (let i = 0; i < model.length; i++) {
            expect([stream.ms[i], stream.sub[i], stream.line(i)]).toEqual([
              model[i]!.ms,
              model[i]!.sub,
              model[i]!.line,
            ]);
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});
