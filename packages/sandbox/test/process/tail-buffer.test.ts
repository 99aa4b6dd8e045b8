import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TailBuffer } from '../../src/process/tail-buffer.js';

describe('TailBuffer', () => {
  it('keeps everything below capacity, without a marker', () => {
    const tail = new TailBuffer(16);
    tail.push(Buffer.from('hello '));
    tail.push(Buffer.from('world'));
    expect(tail.snapshot()).toEqual({ text: 'hello world', droppedBytes: 0, totalBytes: 11 });
  });

  it('keeps the last bytes and says how many were dropped', () => {
    const tail = new TailBuffer(8);
    tail.push(Buffer.from('0123456789'));
    tail.push(Buffer.from('ab'));
    const snap = tail.snapshot();
    expect(snap.droppedBytes).toBe(4);
    // The count travels as a field, never as a marker in the text.
    expect(snap.text).toBe('456789ab');
  });

  it('drops a character cut at the start instead of showing U+FFFD', () => {
    const tail = new TailBuffer(4);
    tail.push(Buffer.from('aé€')); // 1 + 2 + 3 bytes; the tail starts inside é
    const snap = tail.snapshot();
    expect(snap.text.endsWith('€')).toBe(true);
    expect(snap.text).not.toContain('\uFFFD');
    expect(snap.droppedBytes).toBe(3);
  });

  it('equals the last N bytes of everything pushed (property)', () => {
    fc.assert(
      fc.property(fc.nat(64), fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 20 }), (cap, chunks) => {
        const tail = new TailBuffer(cap);
        for (const c of chunks) tail.push(Buffer.from(c));
        const all = Buffer.concat(chunks.map((c) => Buffer.from(c)));
        expect(tail.bytes().equals(all.subarray(Math.max(0, all.length - cap)))).toBe(true);
        expect(tail.totalBytes).toBe(all.length);
      }),
    );
  });
  it('pushText of text longer than the tail never cuts a surrogate pair', () => {
    // 'ab😀cde' is 7 UTF-16 units; the last 4 start with the pair's second half.
    for (const text of ['ab😀cde', 'ab😀c', '😀😀😀😀😀', 'abcdefgh']) {
      const byText = new TailBuffer(4);
      const byBytes = new TailBuffer(4);
      byText.pushText(text);
      byBytes.push(Buffer.from(text));
      expect(byText.bytes()).toEqual(byBytes.bytes());
      expect(byText.totalBytes).toBe(byBytes.totalBytes);
    }
  });

  it('pushText keeps and counts the same bytes as push(Buffer.from(text)), long text too (property)', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom('é', '€', '😀', '\ud83d', '\ude00', 'x'.repeat(70)),
    );
    fc.assert(
      fc.property(fc.nat(64), fc.array(fc.array(piece, { maxLength: 6 }), { maxLength: 12 }), (cap, texts) => {
        const byText = new TailBuffer(cap);
        const byBytes = new TailBuffer(cap);
        for (const parts of texts) {
          const text = parts.join('');
          byText.pushText(text);
          byBytes.push(Buffer.from(text));
        }
        expect(byText.bytes().equals(byBytes.bytes())).toBe(true);
        expect(byText.totalBytes).toBe(byBytes.totalBytes);
      }),
    );
  });
});
