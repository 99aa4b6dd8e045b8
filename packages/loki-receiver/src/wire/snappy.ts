import snappy from 'snappyjs';

/** Thrown when a snappy block would decompress to more than the limit (Loki checks the declared length first). */
export class DecompressedTooLarge extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`decompressed message size too large than max (${size} vs ${limit})`);
  }
}

/** Snappy's block format: the preamble is the uncompressed length as a varint. */
function declaredLength(data: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 0; i < data.length && i < 5; i++, shift += 7) {
    const b = data[i]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
  }
  return -1;
}

/** Uncompresses a snappy block with snappyjs; `limit` is Loki's max decompressed size. */
export function snappyUncompress(data: Buffer, limit: number): Buffer {
  const length = declaredLength(data);
  if (length < 0) throw new Error('snappy: corrupt input');
  if (limit > 0 && length > limit) throw new DecompressedTooLarge(length, limit);
  let out: Uint8Array;
  try {
    out = snappy.uncompress(data) as Uint8Array;
  } catch {
    throw new Error('snappy: corrupt input');
  }
  return Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.length);
}
