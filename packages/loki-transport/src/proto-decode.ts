import type { Entry, StreamBatch } from './entry.js';

// Reads back the PushRequest bodies this package writes, to split a batch a
// server refused as too large (413). Only the fields we write are read.

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end: number = buf.length,
  ) {}
  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new Error('protobuf: truncated varint');
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  }
  sub(): Reader {
    const len = this.varint();
    const r = new Reader(this.buf, this.pos + len);
    r.pos = this.pos;
    this.pos += len;
    return r;
  }
  string(): string {
    const len = this.varint();
    const text = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return text;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.pos += this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 5) this.pos += 4;
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
}

function readEntry(r: Reader): Entry {
  let seconds = 0;
  let nanos = 0;
  let line = '';
  let meta: Array<[string, string]> | null = null;
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) {
      const t = r.sub();
      while (t.pos < t.end) {
        const tt = t.varint();
        if (tt >>> 3 === 1) seconds = t.varint();
        else if (tt >>> 3 === 2) nanos = t.varint();
        else t.skip(tt & 7);
      }
    } else if (field === 2 && (tag & 7) === 2) line = r.string();
    else if (field === 3 && (tag & 7) === 2) {
      const p = r.sub();
      let name = '';
      let value = '';
      while (p.pos < p.end) {
        const pt = p.varint();
        if (pt >>> 3 === 1) name = p.string();
        else if (pt >>> 3 === 2) value = p.string();
        else p.skip(pt & 7);
      }
      (meta ??= []).push([name, value]);
    } else r.skip(tag & 7);
  }
  const ms = seconds * 1000 + Math.floor(nanos / 1e6);
  return { ms, sub: nanos % 1e6, line, bytes: Buffer.byteLength(line), meta };
}

/** Decodes a `logproto.PushRequest` written by `encodePushRequest`. */
export function decodePushRequest(buf: Buffer): StreamBatch[] {
  const r = new Reader(buf);
  const streams: StreamBatch[] = [];
  while (r.pos < r.end) {
    const tag = r.varint();
    if (tag >>> 3 !== 1 || (tag & 7) !== 2) {
      r.skip(tag & 7);
      continue;
    }
    const s = r.sub();
    const stream: StreamBatch = { selector: '', labels: {}, entries: [] };
    while (s.pos < s.end) {
      const st = s.varint();
      if (st >>> 3 === 1 && (st & 7) === 2) stream.selector = s.string();
      else if (st >>> 3 === 2 && (st & 7) === 2) stream.entries.push(readEntry(s.sub()));
      else s.skip(st & 7);
    }
    streams.push(stream);
  }
  return streams;
}
