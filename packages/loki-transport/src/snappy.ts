// Snappy *block* format (what Loki expects for protobuf pushes): a varint of
// the uncompressed length, then literals and back-references within 64 KiB.

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const INPUT_MARGIN = 15;
const table = new Uint16Array(1 << HASH_BITS);

function load32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

function hash(x: number): number {
  return Math.imul(x, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

/** Worst-case output size for `n` input bytes (same bound as the reference implementation). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.ceil(n / 6);
}

function emitLiteral(src: Uint8Array, from: number, to: number, out: Uint8Array, op: number): number {
  const n = to - from - 1;
  if (n < 60) out[op++] = n << 2;
  else if (n < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = n;
  } else if (n < 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = n & 0xff;
    out[op++] = n >>> 8;
  } else if (n < 0x1000000) {
    out[op++] = 62 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = n >>> 16;
  } else {
    out[op++] = 63 << 2;
    out[op++] = n & 0xff;
    out[op++] = (n >>> 8) & 0xff;
    out[op++] = (n >>> 16) & 0xff;
    out[op++] = n >>> 24;
  }
  // Short literals are copied by hand: a subarray per literal costs more than the copy.
  if (to - from <= 32) {
    for (let i = from; i < to; i++) out[op++] = src[i]!;
    return op;
  }
  out.set(src.subarray(from, to), op);
  return op + (to - from);
}

function emitCopy2(offset: number, len: number, out: Uint8Array, op: number): number {
  out[op++] = 2 | ((len - 1) << 2);
  out[op++] = offset & 0xff;
  out[op++] = offset >>> 8;
  return op;
}

function emitCopy(offset: number, len: number, out: Uint8Array, op: number): number {
  while (len >= 68) {
    op = emitCopy2(offset, 64, out, op);
    len -= 64;
  }
  if (len > 64) {
    op = emitCopy2(offset, 60, out, op);
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
    return op;
  }
  return emitCopy2(offset, len, out, op);
}

function compressFragment(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number): number {
  let nextEmit = start;
  if (end - start >= INPUT_MARGIN) {
    table.fill(0);
    const ipLimit = end - INPUT_MARGIN;
    let ip = start + 1;
    let nextHash = hash(load32(src, ip));
    outer: for (;;) {
      let skip = 32;
      let nextIp = ip;
      let candidate: number;
      do {
        ip = nextIp;
        const h = nextHash;
        nextIp = ip + (skip++ >>> 5);
        if (nextIp > ipLimit) break outer;
        nextHash = hash(load32(src, nextIp));
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (load32(src, ip) !== load32(src, candidate));
      op = emitLiteral(src, nextEmit, ip, out, op);
      do {
        const base = ip;
        let matched = 4;
        while (ip + matched < end && src[candidate + matched] === src[ip + matched]) matched++;
        ip += matched;
        op = emitCopy(base - candidate, matched, out, op);
        nextEmit = ip;
        if (ip >= ipLimit) break outer;
        table[hash(load32(src, ip - 1))] = ip - 1 - start;
        const h = hash(load32(src, ip));
        candidate = start + table[h]!;
        table[h] = ip - start;
      } while (load32(src, ip) === load32(src, candidate));
      ip++;
      nextHash = hash(load32(src, ip));
    }
  }
  if (nextEmit < end) op = emitLiteral(src, nextEmit, end, out, op);
  return op;
}

// Worst-case output space, kept between calls (compression is synchronous) up to a size.
let scratch: Buffer | null = null;
const MAX_SCRATCH = 8 * 1024 * 1024;

/** Compresses `input` into one snappy block. */
export function snappyCompress(input: Uint8Array): Buffer {
  return snappyCompressParts([input]);
}

/**
 * Compresses pieces that follow one another into one snappy block, as one
 * input, without joining them first (each piece is compressed on its own,
 * which the format allows).
 */
export function snappyCompressParts(parts: readonly Uint8Array[]): Buffer {
  let total = 0;
  let need = 0;
  for (const part of parts) {
    total += part.length;
    need += maxCompressedLength(part.length);
  }
  let out: Buffer;
  if (need > MAX_SCRATCH) out = Buffer.allocUnsafe(need);
  else {
    if (scratch === null || scratch.length < need) scratch = Buffer.allocUnsafe(Math.max(need, 64 * 1024));
    out = scratch;
  }
  let op = 0;
  let n = total;
  while (n >= 0x80) {
    out[op++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[op++] = n;
  for (const part of parts) {
    for (let start = 0; start < part.length; start += BLOCK) {
      op = compressFragment(part, start, Math.min(start + BLOCK, part.length), out, op);
    }
  }
  // An exact-size copy: the body outlives this call, the scratch space is reused.
  if (out !== scratch) return out.subarray(0, op);
  const body = Buffer.allocUnsafe(op);
  out.copy(body, 0, 0, op);
  return body;
}

/** Decompresses one snappy block (used to split a batch a server refused as too large). */
export function snappyUncompress(input: Uint8Array): Buffer {
  let ip = 0;
  let length = 0;
  let shift = 1;
  for (;;) {
    const b = input[ip++];
    if (b === undefined) throw new Error('snappy: truncated length');
    length += (b & 0x7f) * shift;
    if (b < 0x80) break;
    shift *= 128;
  }
  const out = Buffer.allocUnsafe(length);
  let op = 0;
  while (ip < input.length) {
    const tag = input[ip++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = 0;
        for (let i = 0; i < bytes; i++) len += input[ip++]! * 2 ** (8 * i);
      }
      len += 1;
      if (ip + len > input.length || op + len > length) throw new Error('snappy: literal out of range');
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[ip++]!;
    } else if (kind === 2) {
      len = (tag >>> 2) + 1;
      offset = input[ip]! | (input[ip + 1]! << 8);
      ip += 2;
    } else {
      len = (tag >>> 2) + 1;
      offset = load32(input, ip);
      ip += 4;
    }
    if (offset === 0 || offset > op || op + len > length) throw new Error('snappy: copy out of range');
    for (let i = 0; i < len; i++, op++) out[op] = out[op - offset]!;
  }
  if (op !== length) throw new Error('snappy: length mismatch');
  return out;
}
