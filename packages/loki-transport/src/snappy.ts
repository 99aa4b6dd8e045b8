import snappyjs from 'snappyjs';

// Snappy's block format (what Loki's protobuf push wants): a varint of the
// uncompressed length, then literals and back-references, each 64 KiB
// fragment of the input compressed on its own. The compressor is our own; the
// decompressor (used only to split a batch a server refused as too large) is
// snappyjs'. What makes this compressor cheaper than one that reads byte by
// byte: it reads the input four bytes at a time through a DataView (one load
// for the hash, one for the candidate test) and extends a match a word at a
// time, and a log batch is mostly long matches (the same keys, loggers and
// levels on every line).

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

/** Input compressed as one unit: offsets in a copy fit in 16 bits. */
const FRAGMENT = 1 << 16;
const MAX_HASH_BITS = 14;
/** Bytes at the end of a fragment never searched for a match (every 4-byte read stays inside it). */
const MARGIN = 15;
const HASH_MUL = 0x1e35a7bd;
/** Positions (from the fragment's start) of the last 4 bytes seen with each hash. */
const table = new Uint16Array(1 << MAX_HASH_BITS);

/** Output space kept between calls (compression is synchronous), up to this size. */
const MAX_SCRATCH = 4 * 1024 * 1024;
let scratch: Buffer | null = null;

/** The most bytes snappy's block format needs for `n` input bytes. */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

function emitLiteral(src: Uint8Array, from: number, len: number, out: Uint8Array, op: number): number {
  const n = len - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else {
    // A fragment is at most 64 KiB, so a literal's length fits in two bytes.
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  }
  // A short literal is copied by hand: a subarray per literal costs more than the copy.
  if (len <= 24) {
    for (let i = 0; i < len; i++) out[op + i] = src[from + i]!;
    return op + len;
  }
  out.set(src.subarray(from, from + len), op);
  return op + len;
}

/** A back-reference of `len` (at least 4) bytes at `offset` (1 to 65535) behind. */
function emitCopy(offset: number, len: number, out: Uint8Array, op: number): number {
  while (len >= 68) {
    out[op++] = 2 | (63 << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    len -= 64;
  }
  if (len > 64) {
    out[op++] = 2 | (59 << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
    return op;
  }
  out[op++] = 2 | ((len - 1) << 2);
  out[op++] = offset & 0xff;
  out[op++] = offset >>> 8;
  return op;
}

/** Compresses `src[start, end)` (at most FRAGMENT bytes) into `out` at `op`; returns the position after it. */
function compressFragment(
  src: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  out: Uint8Array,
  op: number,
): number {
  let nextEmit = start;
  const size = end - start;
  if (size >= MARGIN) {
    // A table no larger than the fragment: clearing it is part of the cost of a small one.
    let bits = 8;
    while (bits < MAX_HASH_BITS && 1 << bits < size) bits++;
    const shift = 32 - bits;
    table.fill(0, 0, 1 << bits);
    const limit = end - MARGIN;
    let ip = start + 1;
    let nextHash = Math.imul(view.getUint32(ip, true), HASH_MUL) >>> shift;
    outer: for (;;) {
      // Look for 4 bytes seen before, stepping further the longer nothing matches.
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const h = nextHash;
        nextIp = ip + (skip++ >>> 5);
        if (nextIp > limit) break outer;
        nextHash = Math.imul(view.getUint32(nextIp, true), HASH_MUL) >>> shift;
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (view.getUint32(ip, true) !== view.getUint32(candidate, true));
      op = emitLiteral(src, nextEmit, ip - nextEmit, out, op);
      // Emit the match, and more while the bytes right after it match too.
      for (;;) {
        const base = ip;
        let a = ip + 4;
        let b = candidate + 4;
        const lastWord = end - 4;
        while (a <= lastWord && view.getUint32(a, true) === view.getUint32(b, true)) {
          a += 4;
          b += 4;
        }
        while (a < end && src[a] === src[b]) {
          a++;
          b++;
        }
        ip = a;
        op = emitCopy(base - candidate, ip - base, out, op);
        nextEmit = ip;
        if (ip >= limit) break outer;
        table[Math.imul(view.getUint32(ip - 1, true), HASH_MUL) >>> shift] = ip - 1 - start;
        const word = view.getUint32(ip, true);
        const h = Math.imul(word, HASH_MUL) >>> shift;
        candidate = start + table[h]!;
        table[h] = ip - start;
        if (word !== view.getUint32(candidate, true)) break;
      }
      ip++;
      nextHash = Math.imul(view.getUint32(ip, true), HASH_MUL) >>> shift;
    }
  }
  if (nextEmit < end) op = emitLiteral(src, nextEmit, end - nextEmit, out, op);
  return op;
}

/**
 * Compresses `input` into one snappy block, in a buffer of its own exact size
 * (the worst case's space is scratch kept between calls), so the queue's byte
 * bound (`queueBytes`) is what queued batches hold in memory.
 */
export function snappyCompress(input: Uint8Array): Buffer {
  const need = maxCompressedLength(input.length);
  let out: Buffer;
  if (need > MAX_SCRATCH) out = Buffer.allocUnsafeSlow(need);
  else {
    if (scratch === null || scratch.length < need) scratch = Buffer.allocUnsafeSlow(Math.max(need, 64 * 1024));
    out = scratch;
  }
  let op = 0;
  let n = input.length;
  while (n >= 0x80) {
    out[op++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[op++] = n;
  const view = new DataView(input.buffer, input.byteOffset, input.length);
  for (let pos = 0; pos < input.length; pos += FRAGMENT)
    op = compressFragment(input, view, pos, Math.min(input.length, pos + FRAGMENT), out, op);
  const block = Buffer.allocUnsafeSlow(op);
  out.copy(block, 0, 0, op);
  return block;
}

/** Compresses pieces that follow one another into one snappy block. */
export function snappyCompressParts(parts: readonly Uint8Array[]): Buffer {
  return snappyCompress(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
}

/** Decompresses one snappy block (used to split a batch a server refused as too large). */
export function snappyUncompress(input: Uint8Array): Buffer {
  return asBuffer(snappyjs.uncompress(input));
}
