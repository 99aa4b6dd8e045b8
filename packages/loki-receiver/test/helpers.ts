import { gzipSync, deflateRawSync, deflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import snappy from 'snappyjs';

// The push schema written independently of the receiver's, as .proto text, so
// a mistake in one is caught by the other.
const PROTO = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
}
message LabelPairAdapter { string name = 1; string value = 2; }
`;

const PushRequest = protobuf.parse(PROTO).root.lookupType('logproto.PushRequest');

export interface FixtureEntry {
  ts: bigint;
  line: string;
  meta?: Record<string, string>;
}

export interface FixtureStream {
  labels: string;
  entries: FixtureEntry[];
}

/** Current time in epoch nanoseconds. */
export function nowNs(offsetMs = 0): bigint {
  return BigInt(Date.now() + offsetMs) * 1_000_000n;
}

/** Encodes a PushRequest and compresses it with snappy's block format. */
export function protobufBody(streams: FixtureStream[]): Buffer {
  return Buffer.from(snappy.compress(protobufMessage(streams)));
}

/** Encodes a PushRequest with protobufjs, uncompressed. */
export function protobufMessage(streams: FixtureStream[]): Uint8Array {
  const message = PushRequest.fromObject({
    streams: streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: { seconds: (e.ts / 1_000_000_000n).toString(), nanos: Number(e.ts % 1_000_000_000n) },
        line: e.line,
        structuredMetadata: Object.entries(e.meta ?? {}).map(([name, value]) => ({ name, value })),
      })),
    })),
  });
  return PushRequest.encode(message).finish();
}

/** Loki's JSON push body for label objects. */
export function jsonBody(streams: Array<{ stream: Record<string, string>; values: unknown[] }>): string {
  return JSON.stringify({ streams });
}

export function values(entries: FixtureEntry[]): unknown[] {
  return entries.map((e) => (e.meta ? [e.ts.toString(), e.line, e.meta] : [e.ts.toString(), e.line]));
}

export interface PushOptions {
  contentType?: string;
  encoding?: 'gzip' | 'deflate' | 'zlib-deflate';
  tenant?: string;
}

/** POSTs a body to the push endpoint; returns status and text. */
export async function push(
  url: string,
  body: string | Buffer,
  options: PushOptions = {},
): Promise<{ status: number; text: string; headers: Headers }> {
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? (typeof body === 'string' ? 'application/json' : 'application/x-protobuf'),
  };
  let data: Buffer = typeof body === 'string' ? Buffer.from(body) : body;
  if (options.encoding === 'gzip') data = gzipSync(data);
  if (options.encoding === 'deflate') data = deflateRawSync(data);
  if (options.encoding === 'zlib-deflate') data = deflateSync(data);
  if (options.encoding) headers['content-encoding'] = options.encoding === 'gzip' ? 'gzip' : 'deflate';
  if (options.tenant) headers['x-scope-orgid'] = options.tenant;
  const res = await fetch(`${url}/loki/api/v1/push`, { method: 'POST', headers, body: data });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** GETs a Loki API path with query parameters; returns status and parsed JSON (or text). */
export async function get(
  url: string,
  path: string,
  params: Record<string, string> = {},
  tenant?: string,
): Promise<{ status: number; body: any }> {
  const qs = new URLSearchParams(params).toString();
  const res = await fetch(`${url}${path}${qs ? `?${qs}` : ''}`, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain-text answer (errors)
  }
  return { status: res.status, body };
}
