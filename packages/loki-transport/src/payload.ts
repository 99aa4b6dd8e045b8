import { gunzipSync, gzipSync } from 'node:zlib';
import type { Entry, StreamBatch } from './entry.js';
import { nanosString } from './entry.js';
import { decodePushRequest } from './proto-decode.js';
import { encodePushRequest } from './protobuf.js';
import { snappyCompress, snappyUncompress } from './snappy.js';
import type { WireFormat } from './types.js';

/** An encoded batch, ready to push. */
export interface Payload {
  body: Buffer;
  wire: WireFormat;
  gzip: boolean;
  /** Number of lines in the batch. */
  lines: number;
  /** UTF-8 bytes of those lines. */
  lineBytes: number;
}

function countLines(streams: readonly StreamBatch[]): { lines: number; lineBytes: number } {
  let lines = 0;
  let lineBytes = 0;
  for (const s of streams) {
    lines += s.entries.length;
    for (const e of s.entries) lineBytes += e.bytes;
  }
  return { lines, lineBytes };
}

function jsonBody(streams: readonly StreamBatch[]): Buffer {
  const body = {
    streams: streams.map((s) => ({
      stream: s.labels,
      values: s.entries.map((e) => {
        const ts = nanosString(e.ms, e.sub);
        return e.meta === null ? [ts, e.line] : [ts, e.line, Object.fromEntries(e.meta)];
      }),
    })),
  };
  return Buffer.from(JSON.stringify(body));
}

/** Encodes streams in the chosen wire format. */
export function encodePayload(streams: readonly StreamBatch[], wire: WireFormat, gzip: boolean): Payload {
  const { lines, lineBytes } = countLines(streams);
  if (wire === 'protobuf')
    return { body: snappyCompress(encodePushRequest(streams)), wire, gzip: false, lines, lineBytes };
  const raw = jsonBody(streams);
  return { body: gzip ? gzipSync(raw) : raw, wire, gzip, lines, lineBytes };
}

/** Request headers describing a payload's body. */
export function payloadHeaders(payload: Pick<Payload, 'wire' | 'gzip'>): Record<string, string> {
  if (payload.wire === 'protobuf') return { 'Content-Type': 'application/x-protobuf' };
  return payload.gzip
    ? { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }
    : { 'Content-Type': 'application/json' };
}

/** Reads a payload back into streams (for splitting). */
export function decodePayload(payload: Payload): StreamBatch[] {
  if (payload.wire === 'protobuf') return decodePushRequest(snappyUncompress(payload.body));
  const raw = payload.gzip ? gunzipSync(payload.body) : payload.body;
  const parsed = JSON.parse(raw.toString('utf8')) as {
    streams: Array<{ stream: Record<string, string>; values: Array<[string, string, Record<string, string>?]> }>;
  };
  return parsed.streams.map((s) => ({
    selector: '',
    labels: s.stream,
    entries: s.values.map(([ts, line, meta]): Entry => {
      const ms = Number(ts.slice(0, -6));
      return {
        ms,
        sub: Number(ts.slice(-6)),
        line,
        bytes: Buffer.byteLength(line),
        meta: meta ? Object.entries(meta) : null,
      };
    }),
  }));
}

/**
 * Splits a payload into two halves by lines (a 413 answer). Returns null for a
 * single line, which cannot be split.
 */
export function splitPayload(payload: Payload): [Payload, Payload] | null {
  if (payload.lines < 2) return null;
  const streams = decodePayload(payload);
  const half = Math.floor(payload.lines / 2);
  const first: StreamBatch[] = [];
  const second: StreamBatch[] = [];
  let seen = 0;
  for (const s of streams) {
    const take = Math.max(0, Math.min(s.entries.length, half - seen));
    if (take > 0) first.push({ ...s, entries: s.entries.slice(0, take) });
    if (take < s.entries.length) second.push({ ...s, entries: s.entries.slice(take) });
    seen += s.entries.length;
  }
  return [encodePayload(first, payload.wire, payload.gzip), encodePayload(second, payload.wire, payload.gzip)];
}
