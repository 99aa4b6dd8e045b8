import snappyjs from 'snappyjs';

// Snappy's block format (what Loki's protobuf push wants), from snappyjs: a
// benchmark in the same run (scripts/encoder-bench.ts) found a compressor of
// our own no faster, so the maintained library does it.

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

/** Compresses `input` into one snappy block. */
export function snappyCompress(input: Uint8Array): Buffer {
  return asBuffer(snappyjs.compress(input));
}

/** Compresses pieces that follow one another into one snappy block. */
export function snappyCompressParts(parts: readonly Uint8Array[]): Buffer {
  return snappyCompress(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
}

/** Decompresses one snappy block (used to split a batch a server refused as too large). */
export function snappyUncompress(input: Uint8Array): Buffer {
  return asBuffer(snappyjs.uncompress(input));
}
