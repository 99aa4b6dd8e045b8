import snappyjs from 'snappyjs';

// Snappy's block format (what Loki's protobuf push wants), from snappyjs: a
// benchmark in the same run (scripts/encoder-bench.ts) found a compressor of
// our own no faster, so the maintained library does it.

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

/** Bytes of slack past which a compressed block is copied out of the allocation it is a view of. */
const SLACK = 64 * 1024;

/**
 * Compresses `input` into one snappy block. snappyjs compresses into a buffer of the worst
 * case's size (a little more than the input) and hands back a view of the part it used, so a
 * 100 KiB batch kept 1.2 MiB alive; a block with much slack is copied into its own bytes, so
 * the queue's byte bound (`queueBytes`) is what queued batches hold in memory.
 */
export function snappyCompress(input: Uint8Array): Buffer {
  const block = asBuffer(snappyjs.compress(input));
  return block.buffer.byteLength - block.length > SLACK ? Buffer.from(block) : block;
}

/** Compresses pieces that follow one another into one snappy block. */
export function snappyCompressParts(parts: readonly Uint8Array[]): Buffer {
  return snappyCompress(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
}

/** Decompresses one snappy block (used to split a batch a server refused as too large). */
export function snappyUncompress(input: Uint8Array): Buffer {
  return asBuffer(snappyjs.uncompress(input));
}
