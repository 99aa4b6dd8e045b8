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
});
