import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LINE_CONTINUES_MARKER, LineSplitter } from '../../src/process/line-splitter.js';

function split(chunks: Buffer[], maxLineLength = 16_384): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  const splitter = new LineSplitter((text, piece) => out.push([text, piece]), { maxLineLength });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return out;
}

/** Cuts a buffer at the given offsets. */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    if (p > prev) chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

describe('LineSplitter', () => {
  it('delivers lines without newlines, strips CR, and delivers a final line without newline', () => {
    expect(split([Buffer.from('a\r\nb\n\nlast')])).toEqual([
      ['a', false],
      ['b', false],
      ['', false],
      ['last', false],
    ]);
  });

  it('joins a line split across chunks, even inside a multi-byte character', () => {
    const bytes = Buffer.from('café au lait\nnext\n');
    const at = bytes.indexOf(0xa9); // second byte of é
    expect(split([bytes.subarray(0, at), bytes.subarray(at)])).toEqual([
      ['café au lait', false],
      ['next', false],
    ]);
  });

  it('replaces invalid UTF-8 instead of failing', () => {
    const lines = split([Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x0a, 0xc3])]);
    expect(lines).toEqual([
      ['ok\uFFFD\uFFFD', false],
      ['\uFFFD', false],
    ]);
  });

  it('splits a long line into marked pieces, within a chunk and across chunks', () => {
    const long = 'x'.repeat(25);
    for (const chunks of [[Buffer.from(`${long}\nok\n`)], cut(Buffer.from(`${long}\nok\n`), [3, 11, 17, 26])]) {
      expect(split(chunks, 10)).toEqual([
        [`${'x'.repeat(10)}${LINE_CONTINUES_MARKER}`, true],
        [`${'x'.repeat(10)}${LINE_CONTINUES_MARKER}`, true],
        ['xxxxx', true],
        ['ok', false],
      ]);
    }
  });

  it('never splits a multi-byte character when cutting a long line', () => {
    const lines = split([Buffer.from('ééééé'), Buffer.from('éééé\n')], 3);
    expect(lines.every(([text]) => !text.includes('\uFFFD'))).toBe(true);
    expect(lines.map(([t]) => t.replace(LINE_CONTINUES_MARKER, '')).join('')).toBe('é'.repeat(9));
  });

  it('counts maxLineLength in characters when a line crosses chunks, as within one chunk', () => {
    const line = 'é'.repeat(10_000); // 20,000 bytes, 10,000 characters
    const bytes = Buffer.from(`${line}\nnext\n`);
    const whole = split([bytes]);
    expect(whole).toEqual([
      [line, false],
      ['next', false],
    ]);
    for (const offsets of [[8_193], [16_384], [1, 9_999, 16_385], [4_096, 8_192, 12_288, 16_384]]) {
      expect(split(cut(bytes, offsets))).toEqual(whole);
    }
    // Longer than the limit: the same pieces of 16,384 characters however it is chunked.
    const longer = Buffer.from(`${'é'.repeat(20_000)}\n`);
    const pieces = split([longer]);
    expect(pieces.map(([t, s]) => [t.replace(LINE_CONTINUES_MARKER, '').length, s])).toEqual([
      [16_384, true],
      [3_616, true],
    ]);
    expect(split(cut(longer, [5_000, 16_385, 32_769]))).toEqual(pieces);
  });

  it('does not count the CR of a CRLF cut from its LF, after a surrogate pair over a limit of 1', () => {
    // The counterexample fast-check found (seed 1807001490): the carried "😀\r" was cut as "😀" plus a stray empty piece.
    const bytes = Buffer.from('😀\r\n');
    const whole = split([bytes], 1);
    expect(whole).toEqual([['😀', true]]);
    expect(split([bytes.subarray(0, 5), bytes.subarray(5)], 1)).toEqual(whole);
    const longer = Buffer.from('aaa\r\nb\n');
    expect(split([longer.subarray(0, 4), longer.subarray(4)], 2)).toEqual(split([longer], 2));
  });

  it('gives the same lines and pieces however the bytes are chunked, over a short limit (property)', () => {
    const unit = fc.constantFrom('a', 'é', '€', '😀', '\r', '\n');
    // One run takes about 0.05 ms here, so 1,000 runs stay far below the test timeout even on two loaded cores;
    // a failure prints its seed and shrunk counterexample (replay with { seed, path }).
    fc.assert(
      fc.property(
        fc.array(unit, { maxLength: 120 }),
        fc.array(fc.nat(400), { maxLength: 12 }),
        fc.integer({ min: 1, max: 12 }),
        (units, offsets, max) => {
          const bytes = Buffer.from(units.join(''));
          expect(split(cut(bytes, offsets), max)).toEqual(split([bytes], max));
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('gives the same lines however the bytes are chunked (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.array(fc.nat(400), { maxLength: 12 }),
        (text, offsets) => {
          const bytes = Buffer.from(text);
          const expected = text.split('\n').map((l) => l.replace(/\r$/, ''));
          if (text.endsWith('\n')) expected.pop();
          if (text === '') expected.length = 0;
          const got = split(cut(bytes, offsets)).map(([t]) => t);
          expect(got).toEqual(expected);
        },
      ),
    );
  });

  it('rejects a bad maxLineLength with a TypeError naming it', () => {
    expect(() => new LineSplitter(() => {}, { maxLineLength: 0 })).toThrow(/maxLineLength.*0/);
  });
});

describe('LineSplitter onBlock', () => {
  it('brackets each run of whole lines decoded together, and nothing else', () => {
    const events: string[] = [];
    const splitter = new LineSplitter((text) => events.push(`line ${text}`), {
      onBlock: (block) => events.push(block === null ? 'end' : `block ${JSON.stringify(block)}`),
    });
    splitter.push(Buffer.from('a\nb\npart'));
    splitter.push(Buffer.from('ial\nc\r\nd'));
    splitter.end();
    expect(events).toEqual([
      'block "a\\nb"',
      'line a',
      'line b',
      'end',
      'line partial',
      'block "c\\r"',
      'line c',
      'end',
      'line d',
    ]);
  });

  it('ends the bracket even when the sink throws', () => {
    const events: Array<string | null> = [];
    const splitter = new LineSplitter(
      () => {
        throw new Error('sink bug');
      },
      { onBlock: (block) => events.push(block) },
    );
    expect(() => splitter.push(Buffer.from('a\n'))).toThrow('sink bug');
    expect(events).toEqual(['a', null]);
  });
});
