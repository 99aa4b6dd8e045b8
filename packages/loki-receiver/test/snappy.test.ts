import fc from 'fast-check';
import snappy from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { SnappyError, snappyUncompress } from '../src/snappy.js';

describe('snappyUncompress (the receiver’s own snappy block reader)', () => {
  it('reads what snappyjs writes, for any bytes and for repetitive log lines', () => {
    const logs = fc.array(fc.constantFrom('level=info logger=pactown.sandbox msg="Creating sandbox" ', 'user=user42 ', '✓ ', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'x'), { maxLength: 400 }).map((parts) => Buffer.from(parts.join('')));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 70_000 }).map((a) => Buffer.from(a)), logs), (input) => {
        const compressed = Buffer.from(snappy.compress(input));
        expect(snappyUncompress(compressed, input.length).equals(input)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('reads long literals and copies with 4-byte offsets', () => {
    // A 70,000-byte literal (length in 3 bytes), then a 4-byte-offset copy of its first 8 bytes.
    const literal = Buffer.alloc(70_000, 7);
    literal.write('abcdefgh');
    const n = literal.length - 1;
    const block = Buffer.concat([
      Buffer.from([0xf8, 0xa2, 0x04]), // varint 70,008
      Buffer.from([62 << 2, n & 0xff, (n >> 8) & 0xff, n >> 16]),
      literal,
      Buffer.from([((8 - 1) << 2) | 3, 0x70, 0x11, 0x01, 0x00]), // offset 70,000
    ]);
    const out = snappyUncompress(block, 1 << 20);
    expect(out.length).toBe(70_008);
    expect(out.subarray(70_000).toString()).toBe('abcdefgh');
  });

  it.each([
    ['a length over the limit', Buffer.from([0x80, 0x08]), /too big/],
    ['a copy before the start', Buffer.from([0x04, 0x01 | (0 << 2), 0x05]), /before the start/],
    ['a literal past the end', Buffer.from([0x05, 0x10, 0x61]), /past the end/],
    ['a short result', Buffer.from([0x05, 0x00, 0x61]), /1 bytes decoded, the header says 5/],
    ['a bad header', Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), /bad length header/],
  ])('refuses %s with a SnappyError', (_, block, message) => {
    expect(() => snappyUncompress(block, 512)).toThrow(SnappyError);
    expect(() => snappyUncompress(block, 512)).toThrow(message);
  });
});
