// Loki's push schema (package logproto), as protobufjs reflection JSON for
// users who decode pushes themselves. The receiver reads pushes with the
// decoder below, which follows the same schema field by field.
const SCHEMA = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Timestamp: {
              fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } },
            },
          },
        },
      },
    },
    logproto: {
      nested: {
        PushRequest: {
          fields: {
            streams: { rule: 'repeated', type: 'StreamAdapter', id: 1 },
            format: { type: 'string', id: 2 },
          },
        },
        StreamAdapter: {
          fields: {
            labels: { type: 'string', id: 1 },
            entries: { rule: 'repeated', type: 'EntryAdapter', id: 2 },
            hash: { type: 'uint64', id: 3 },
          },
        },
        EntryAdapter: {
          fields: {
            timestamp: { type: 'google.protobuf.Timestamp', id: 1 },
            line: { type: 'string', id: 2 },
            structuredMetadata: { rule: 'repeated', type: 'LabelPairAdapter', id: 3 },
          },
        },
        LabelPairAdapter: {
          fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } },
        },
      },
    },
  },
};

/** The logproto schema as protobufjs reflection JSON (what the receiver's decoder follows). */
export const LOGPROTO_SCHEMA_JSON: Readonly<Record<string, unknown>> = SCHEMA;

/**
 * One stream of a decoded push, before validation: labels still as selector
 * text, entries in columns (times as [epoch ms, ns within the ms]). Lines stay
 * UTF-8 bytes: line `i` is `data[start[i], end[i])`, so a protobuf push is
 * stored without turning each line into a string (the store keeps `data`).
 */
export interface RawStream {
  labelsText: string;
  ms: number[];
  sub: number[];
  data: Buffer;
  start: number[];
  end: number[];
  metadata: Array<Record<string, string> | undefined>;
}

const EMPTY = Buffer.alloc(0);

/** An empty stream to fill column by column. */
export function rawStream(labelsText: string, size = 0, data: Buffer = EMPTY): RawStream {
  return { labelsText, ms: new Array(size), sub: new Array(size), data, start: new Array(size), end: new Array(size), metadata: new Array(size) };
}

/** Sets a stream's lines from strings (a JSON push): one buffer holds them all. */
export function setLines(raw: RawStream, lines: readonly string[]): void {
  let total = 0;
  for (const line of lines) total += Buffer.byteLength(line);
  const data = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let i = 0; i < lines.length; i++) {
    raw.start[i] = pos;
    pos += data.write(lines[i]!, pos, 'utf8');
    raw.end[i] = pos;
  }
  raw.data = data;
}

// Protobuf wire types.
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/**
 * Reads protobuf's wire format from one buffer: varints, length-delimited
 * pieces and skipped fields, with an error naming the offset when the
 * message is cut short or malformed.
 */
class WireReader {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  fail(what: string): never {
    throw new Error(`${what} at offset ${this.pos}`);
  }

  /** A varint that fits in 32 bits (more bytes are read and their bits dropped, as for int32 fields). */
  varint32(end: number): number {
    const buf = this.buf;
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= end) this.fail('truncated varint');
      const b = buf[this.pos++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A 64-bit varint as a number (exact up to 2^53), two's complement for negative int64. */
  varint64(end: number): number {
    const buf = this.buf;
    let low = 0;
    let high = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++, shift += 7) {
      if (this.pos >= end) this.fail('truncated varint');
      const b = buf[this.pos++]!;
      if (shift < 28) low |= (b & 0x7f) << shift;
      else if (shift === 28) {
        low |= (b & 0x0f) << 28;
        high |= (b & 0x7f) >> 4;
      } else high |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) return (high | 0) * 4294967296 + (low >>> 0);
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** End offset of the length-delimited field starting here. */
  lengthEnd(end: number): number {
    const len = this.varint32(end);
    const to = this.pos + len;
    if (to > end) this.fail(`length ${len} runs past the end of the message`);
    return to;
  }

  string(end: number): string {
    const from = this.bytes(end);
    return from === this.pos ? '' : this.buf.toString('utf8', from, this.pos);
  }

  /** Steps over a length-delimited field; returns where its content starts (it ends at `pos`). */
  bytes(end: number): number {
    const to = this.lengthEnd(end);
    const from = this.pos;
    this.pos = to;
    return from;
  }

  skip(wireType: number, end: number): void {
    if (wireType === VARINT) this.varint64(end);
    else if (wireType === LEN) this.pos = this.lengthEnd(end);
    else if (wireType === I64 || wireType === I32) {
      this.pos += wireType === I64 ? 8 : 4;
      if (this.pos > end) this.fail('truncated fixed-size field');
    } else this.fail(`invalid wire type ${wireType}`);
  }

  /** The next field's number and wire type (`tag >>> 3`, `tag & 7`). */
  tag(end: number): number {
    const tag = this.varint32(end);
    if (tag >>> 3 === 0) this.fail('invalid field number 0');
    return tag;
  }
}

/** google.protobuf.Timestamp as [epoch ms, ns within the ms]. */
function readTimestamp(r: WireReader, end: number, out: RawStream, j: number): void {
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.tag(end);
    if (tag === ((1 << 3) | VARINT)) seconds = r.varint64(end);
    else if (tag === ((2 << 3) | VARINT)) nanos = r.varint32(end) | 0;
    else r.skip(tag & 7, end);
  }
  const subMs = Math.floor(nanos / 1_000_000);
  out.ms[j] = seconds * 1000 + subMs;
  out.sub[j] = nanos - subMs * 1_000_000;
}

/** Refuses a known length-delimited field (numbers 1 to `known`) sent with another wire type. */
function checkLen(r: WireReader, tag: number, known: number, message: string): void {
  if (tag >>> 3 <= known && (tag & 7) !== LEN) r.fail(`field ${tag >>> 3} of ${message} has wire type ${tag & 7}`);
}

/** One EntryAdapter into row `j` of `out`. */
function readEntry(r: WireReader, end: number, out: RawStream, j: number): void {
  out.ms[j] = 0;
  out.sub[j] = 0;
  out.start[j] = 0;
  out.end[j] = 0;
  let metadata: Record<string, string> | undefined;
  while (r.pos < end) {
    const tag = r.tag(end);
    checkLen(r, tag, 3, 'EntryAdapter');
    if (tag === ((1 << 3) | LEN)) readTimestamp(r, r.lengthEnd(end), out, j);
    else if (tag === ((2 << 3) | LEN)) {
      out.start[j] = r.bytes(end);
      out.end[j] = r.pos;
    }
    else if (tag === ((3 << 3) | LEN)) {
      const pairEnd = r.lengthEnd(end);
      let name = '';
      let value = '';
      while (r.pos < pairEnd) {
        const t = r.tag(pairEnd);
        checkLen(r, t, 2, 'LabelPairAdapter');
        if (t === ((1 << 3) | LEN)) name = r.string(pairEnd);
        else if (t === ((2 << 3) | LEN)) value = r.string(pairEnd);
        else r.skip(t & 7, pairEnd);
      }
      (metadata ??= {})[name] = value;
    } else r.skip(tag & 7, end);
  }
  out.metadata[j] = metadata;
}

/** Decodes an uncompressed logproto PushRequest. Throws an Error naming the offset on a malformed message. */
export function decodePushRequest(bytes: Uint8Array): RawStream[] {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new WireReader(buf);
  const end = buf.length;
  const out: RawStream[] = [];
  while (r.pos < end) {
    const tag = r.tag(end);
    checkLen(r, tag, 2, 'PushRequest');
    if (tag !== ((1 << 3) | LEN)) {
      r.skip(tag & 7, end);
      continue;
    }
    const streamEnd = r.lengthEnd(end);
    const stream = rawStream('', 0, buf);
    let j = 0;
    while (r.pos < streamEnd) {
      const t = r.tag(streamEnd);
      checkLen(r, t, 2, 'StreamAdapter');
      if (t === ((1 << 3) | LEN)) stream.labelsText = r.string(streamEnd);
      else if (t === ((2 << 3) | LEN)) readEntry(r, r.lengthEnd(streamEnd), stream, j++);
      else r.skip(t & 7, streamEnd);
    }
    out.push(stream);
  }
  return out;
}
