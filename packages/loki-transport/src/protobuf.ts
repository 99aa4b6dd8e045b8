import type { StreamBatch } from './entry.js';

// logproto.PushRequest { repeated StreamAdapter streams = 1; }
// StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; }
// EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
// Timestamp { int64 seconds = 1; int32 nanos = 2; }   LabelPairAdapter { string name = 1; string value = 2; }
export const TAG_1_LEN = 0x0a;
export const TAG_2_LEN = 0x12;
export const TAG_3_LEN = 0x1a;
export const TAG_1_VARINT = 0x08;
export const TAG_2_VARINT = 0x10;

export function varintLen(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

export function fieldLen(payload: number): number {
  return 1 + varintLen(payload) + payload;
}

// Buffer#utf8Write skips write()'s argument parsing; every Node Buffer has it, but fall back if not.
type FastBuffer = Buffer & { utf8Write(text: string, offset: number, length: number): number };
const HAS_UTF8_WRITE = typeof (Buffer.prototype as Partial<FastBuffer>).utf8Write === 'function';

/** Writes `text` (`bytes` long in UTF-8) at `pos`; returns the position after it. */
export function writeUtf8(buf: Buffer, pos: number, text: string, bytes: number): number {
  return pos + (HAS_UTF8_WRITE ? (buf as FastBuffer).utf8Write(text, pos, bytes) : buf.write(text, pos, bytes, 'utf8'));
}

/** Writes `n` as a varint at `pos`; returns the position after it. */
export function writeVarint(buf: Buffer, pos: number, n: number): number {
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

class Writer {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  varint(n: number): void {
    this.pos = writeVarint(this.buf, this.pos, n);
  }
  string(tag: number, text: string, bytes: number): void {
    this.pos = writeString(this.buf, this.pos, tag, text, bytes);
  }
}

export function timestampLen(seconds: number, nanos: number): number {
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
      const seconds = Math.floor(e.ms / 1000);
      const nanos = (e.ms - seconds * 1000) * 1e6 + e.sub;
      let el = fieldLen(timestampLen(seconds, nanos)) + (e.bytes > 0 ? fieldLen(e.bytes) : 0);
      if (e.meta !== null) el += metaLen(e.meta, metaSizes);
      entryLens.push(el);
      len += fieldLen(el);
    }
    streamLens.push(len);
    total += fieldLen(len);
  }
  const w = new Writer(Buffer.allocUnsafe(total));
  let ei = 0;
  let mi = 0;
  for (let s = 0; s < streams.length; s++) {
    const stream = streams[s]!;
    w.buf[w.pos++] = TAG_1_LEN;
    w.varint(streamLens[s]!);
    w.string(TAG_1_LEN, stream.selector, selectorLens[s]!);
    for (const e of stream.entries) {
      w.buf[w.pos++] = TAG_2_LEN;
      w.varint(entryLens[ei++]!);
      const seconds = Math.floor(e.ms / 1000);
      const nanos = (e.ms - seconds * 1000) * 1e6 + e.sub;
      w.buf[w.pos++] = TAG_1_LEN;
      w.varint(timestampLen(seconds, nanos));
      if (seconds > 0) {
        w.buf[w.pos++] = TAG_1_VARINT;
        w.varint(seconds);
      }
      if (nanos > 0) {
        w.buf[w.pos++] = TAG_2_VARINT;
        w.varint(nanos);
      }
      if (e.bytes > 0) w.string(TAG_2_LEN, e.line, e.bytes);
      if (e.meta === null) continue;
      for (const [name, value] of e.meta) {
        const n = metaSizes[mi++]!;
        const v = metaSizes[mi++]!;
        w.buf[w.pos++] = TAG_3_LEN;
        w.varint(metaSizes[mi++]!);
        if (n > 0) w.string(TAG_1_LEN, name, n);
        if (v > 0) w.string(TAG_2_LEN, value, v);
      }
    }
  }
  return w.buf;
}
