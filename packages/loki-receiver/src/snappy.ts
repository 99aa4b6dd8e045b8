// Snappy's block format, the compression of Loki's protobuf pushes: a varint
// of the uncompressed length, then elements tagged by their low two bits:
// literals (0) and copies of earlier output with a 1-, 2- or 4-byte offset
// (1, 2, 3).

/** Thrown for input that is not a valid snappy block; `tooBig` when only the size limit was exceeded. */
export class SnappyError extends Error {
  constructor(
    message: string,
    readonly tooBig = false,
  ) {
    super(message);
    this.name = 'SnappyError';
  }
}

function corrupt(what: string, at: number): never {
  throw new SnappyError(`${what} at offset ${at}`);
}

/** Decompresses one snappy block into a new buffer of at most `limit` bytes. */
export function snappyUncompress(src: Uint8Array, limit: number): Buffer {
  let pos = 0;
  let total = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= src.length || shift > 28) corrupt('bad length header', pos);
    const b = src[pos++]!;
    total += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (total > limit) throw new SnappyError(`uncompressed length ${total} is too big, limit ${limit}`, true);
  const out = Buffer.allocUnsafe(total);
  const input = Buffer.isBuffer(src) ? src : Buffer.from(src.buffer, src.byteOffset, src.byteLength);
  let op = 0;
  const end = input.length;
  while (pos < end) {
    const tag = input[pos++]!;
    const type = tag & 3;
    if (type === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (pos + bytes > end) corrupt('truncated literal length', pos);
        len = 0;
        for (let i = 0; i < bytes; i++) len += input[pos + i]! * 2 ** (8 * i);
        pos += bytes;
      }
      len += 1;
      if (pos + len > end || op + len > total) corrupt('literal runs past the end', pos);
      // Short literals by hand: a native copy call costs more than a few bytes.
      if (len <= 16) for (let i = 0; i < len; i++) out[op + i] = input[pos + i]!;
      else input.copy(out, op, pos, pos + len);
      pos += len;
      op += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (pos >= end) corrupt('truncated copy', pos);
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++]!;
    } else if (type === 2) {
      if (pos + 2 > end) corrupt('truncated copy', pos);
      len = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > end) corrupt('truncated copy', pos);
      len = (tag >>> 2) + 1;
      offset = (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > op) corrupt(`copy from offset ${offset} before the start`, pos);
    if (op + len > total) corrupt('copy runs past the end', pos);
    const from = op - offset;
    // An overlapping copy repeats a pattern: it must go byte by byte.
    if (offset < len || len <= 16) for (let i = 0; i < len; i++) out[op + i] = out[from + i]!;
    else out.copyWithin(op, from, from + len);
    op += len;
  }
  if (op !== total) corrupt(`${op} bytes decoded, the header says ${total}`, pos);
  return out;
}
