// Decodes the sink's dump after the run, with libraries independent of the
// shipper: protobufjs + snappyjs for protobuf bodies, JSON.parse for JSON
// bodies, zlib for gzip. Each line is found again by its `(#i)` sequence number.
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeProto, unsnappy } from '../test/helpers/decode.js';
import { SEQ } from './workload.mjs';

export interface Body {
  at: number;
  type: string;
  encoding: string;
  bytes: number;
  seqs: number[];
  /** Lines without a sequence number: the shipper's own (e.g. its counters report), not the workload's. */
  foreign: number;
}

export function readDump(file: string): Body[] {
  const buf = fs.readFileSync(file);
  const out: Body[] = [];
  for (let off = 0; off < buf.length; ) {
    const metaLen = buf.readUInt32LE(off);
    const meta = JSON.parse(buf.subarray(off + 4, off + 4 + metaLen).toString('utf8')) as {
      at: number;
      type: string;
      encoding: string;
    };
    off += 4 + metaLen;
    const bodyLen = buf.readUInt32LE(off);
    const body = buf.subarray(off + 4, off + 4 + bodyLen);
    off += 4 + bodyLen;
    const seqs: number[] = [];
    let foreign = 0;
    for (const line of lines(meta.type, meta.encoding, body)) {
      const seq = seqOf(line);
      if (seq === undefined) foreign++;
      else seqs.push(seq);
    }
    out.push({ ...meta, bytes: bodyLen, seqs, foreign });
  }
  return out;
}

/** The workload's sequence number of a line; undefined for a line the shipper added itself. */
function seqOf(line: string): number | undefined {
  const m = SEQ.exec(line);
  return m ? Number(m[1]) : undefined;
}

function lines(type: string, encoding: string, raw: Buffer): string[] {
  const body = /gzip/i.test(encoding) ? gunzipSync(raw) : raw;
  if (/protobuf/i.test(type)) {
    return decodeProto(unsnappy(body)).flatMap((s) => s.entries.map((e) => e.line));
  }
  const json = JSON.parse(body.toString('utf8')) as { streams: Array<{ values: Array<[string, string, unknown?]> }> };
  return json.streams.flatMap((s) => s.values.map((v) => v[1]));
}

export interface Delivery {
  bodies: number;
  bytes: number;
  /** Distinct lines (by sequence number) that arrived. */
  delivered: number;
  duplicates: number;
  /** Lines the shipper added itself (no sequence number), not counted as delivered. */
  foreign: number;
  /** First arrival time of each sequence number (NaN: never arrived). */
  arrival: Float64Array;
  /** When the body that completed the set arrived (NaN if it never did). */
  completeAt: number;
  lastAt: number;
}

/** What arrived of lines 0..expected-1, in the order the sink stored the bodies. */
export function deliveries(bodies: Body[], expected: number): Delivery {
  const arrival = new Float64Array(expected).fill(Number.NaN);
  let delivered = 0;
  let duplicates = 0;
  let foreign = 0;
  let bytes = 0;
  let completeAt = Number.NaN;
  let lastAt = Number.NaN;
  for (const b of bodies) {
    bytes += b.bytes;
    foreign += b.foreign;
    lastAt = b.at;
    for (const s of b.seqs) {
      if (s >= expected) throw new Error(`line #${s} was never logged (expected 0..${expected - 1})`);
      if (Number.isNaN(arrival[s]!)) {
        arrival[s] = b.at;
        if (++delivered === expected) completeAt = b.at;
      } else duplicates++;
    }
  }
  return { bodies: bodies.length, bytes, delivered, duplicates, foreign, arrival, completeAt, lastAt };
}
