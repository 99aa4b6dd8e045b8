import type { StreamBatch } from './entry.js';

// logproto.PushRequest { repeated StreamAdapter streams = 1; }
// StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
// EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
// Timestamp { int64 seconds = 1; int32 nanos = 2; }   LabelPairAdapter { string name = 1; string value = 2; }
export const TAG_1_LEN = 0x0a;
const TAG_2_LEN = 0x12;
const TAG_3_LEN = 0x1a;
const TAG_1_VARINT = 0x08;
const TAG_2_VARINT = 0x10;

function varintLen(n: number): number {
  // Comparisons for the sizes every entry has (lengths, nanoseconds, seconds up to 2^35).
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  let len = 6;
  for (n = Math.floor(n / 0x40000000000); n >= 1; n = Math.floor(n / 128)) len++;
  return len;
}

export function fieldLen(payload: number): number {
  return 1 + varintLen(payload) + payload;
}

// Buffer#utf8Write and #latin1Write skip write()'s argument parsing; every Node Buffer has
// them, but fall back if not.
type FastBuffer = Buffer & {
  utf8Write(text: string, offset: number, length: number): number;
  latin1Write(text: string, offset: number, length: number): number;
};
const proto = Buffer.prototype as Partial<FastBuffer>;
const HAS_FAST_WRITES = typeof proto.utf8Write === 'function' && typeof proto.latin1Write === 'function';

/** Writes `text` (`bytes` long in UTF-8) at `pos`; returns the position after it. */
function writeUtf8(buf: Buffer, pos: number, text: string, bytes: number): number {
  if (!HAS_FAST_WRITES) return pos + buf.write(text, pos, bytes, 'utf8');
  // As many UTF-8 bytes as UTF-16 units means every character is ASCII, where latin1 gives the
  // same bytes for about half the cost of the UTF-8 encoder (most lines, names and values).
  return (
    pos +
    (bytes === text.length
      ? (buf as FastBuffer).latin1Write(text, pos, bytes)
      : (buf as FastBuffer).utf8Write(text, pos, bytes))
  );
}

/** Writes `n` as a varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
  // Below 2^32 (every length, nanosecond and second of this century) shifts are exact.
  if (n <= 0xffffffff) {
    while (n >= 0x80) {
      buf[pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[pos++] = n;
    return pos;
  }
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** Writes a length-delimited string field (tag, length, UTF-8 bytes) at `pos`; returns the position after it. */
export function writeString(buf: Buffer, pos: number, tag: number, text: string, bytes: number): number {
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, bytes);
  return bytes === 0 ? pos : writeUtf8(buf, pos, text, bytes);
}

function timestampLen(seconds: number, nanos: number): number {
  return (seconds > 0 ? 1 + varintLen(seconds) : 0) + (nanos > 0 ? 1 + varintLen(nanos) : 0);
}

function metaLen(meta: Array<[string, string]>, sizes: number[]): number {
  let total = 0;
  for (const [name, value] of meta) {
    const n = Buffer.byteLength(name);
    const v = Buffer.byteLength(value);
    const pair = (n > 0 ? fieldLen(n) : 0) + (v > 0 ? fieldLen(v) : 0);
    sizes.push(n, v, pair);
    total += fieldLen(pair);
  }
  return total;
}

/**
 * Body size of one `EntryAdapter`; pushes each metadata pair's byte sizes
 * (name, value, pair) onto `sizes` for {@link writeEntry}.
 */
export function entryLen(
  seconds: number,
  nanos: number,
  bytes: number,
  meta: Array<[string, string]> | null,
  sizes: number[],
): number {
  const len = fieldLen(timestampLen(seconds, nanos)) + (bytes > 0 ? fieldLen(bytes) : 0);
  return meta === null ? len : len + metaLen(meta, sizes);
}

/**
 * Writes one `StreamAdapter.entries` field (tag, length `len`, body) at `pos`,
 * reading its metadata sizes from `sizes` starting at `si`; returns the
 * position after it.
 */
export function writeEntry(
  buf: Buffer,
  pos: number,
  len: number,
  seconds: number,
  nanos: number,
  line: string,
  bytes: number,
  meta: Array<[string, string]> | null,
  sizes: readonly number[],
  si: number,
): number {
  buf[pos++] = TAG_2_LEN;
  pos = writeVarint(buf, pos, len);
  buf[pos++] = TAG_1_LEN;
  pos = writeVarint(buf, pos, timestampLen(seconds, nanos));
  if (seconds > 0) {
    buf[pos++] = TAG_1_VARINT;
    pos = writeVarint(buf, pos, seconds);
  }
  if (nanos > 0) {
    buf[pos++] = TAG_2_VARINT;
    pos = writeVarint(buf, pos, nanos);
  }
  if (bytes > 0) pos = writeString(buf, pos, TAG_2_LEN, line, bytes);
  if (meta === null) return pos;
  for (const [name, value] of meta) {
    const n = sizes[si++]!;
    const v = sizes[si++]!;
    buf[pos++] = TAG_3_LEN;
    pos = writeVarint(buf, pos, sizes[si++]!);
    if (n > 0) pos = writeString(buf, pos, TAG_1_LEN, name, n);
    if (v > 0) pos = writeString(buf, pos, TAG_2_LEN, value, v);
  }
  return pos;
}

/** Seconds and nanoseconds of a timestamp given as epoch milliseconds plus extra nanoseconds. */
export function splitTime(ms: number, sub: number): { seconds: number; nanos: number } {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1e6 + sub };
}

/** Encodes the streams as a `logproto.PushRequest` (uncompressed). */
export function encodePushRequest(streams: readonly StreamBatch[]): Buffer {
  const entryLens: number[] = [];
  const metaSizes: number[] = [];
  const streamLens: number[] = [];
  const selectorLens: number[] = [];
  let total = 0;
  for (const stream of streams) {
    const sel = Buffer.byteLength(stream.selector);
    selectorLens.push(sel);
    let len = fieldLen(sel);
    for (const e of stream.entries) {
      const { seconds, nanos } = splitTime(e.ms, e.sub);
      const el = entryLen(seconds, nanos, e.bytes, e.meta, metaSizes);
      entryLens.push(el);
      len += fieldLen(el);
    }
    streamLens.push(len);
    total += fieldLen(len);
  }
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  let ei = 0;
  let mi = 0;
  for (let s = 0; s < streams.length; s++) {
    const stream = streams[s]!;
    buf[pos++] = TAG_1_LEN;
    pos = writeVarint(buf, pos, streamLens[s]!);
    pos = writeString(buf, pos, TAG_1_LEN, stream.selector, selectorLens[s]!);
    for (const e of stream.entries) {
      const { seconds, nanos } = splitTime(e.ms, e.sub);
      pos = writeEntry(buf, pos, entryLens[ei++]!, seconds, nanos, e.line, e.bytes, e.meta, metaSizes, mi);
      if (e.meta !== null) mi += 3 * e.meta.length;
    }
  }
  return buf;
}
