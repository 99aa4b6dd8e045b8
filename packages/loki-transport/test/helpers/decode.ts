import protobuf from 'protobufjs';
import snappy from 'snappyjs';

// The logproto push schema, written from Loki's field numbers; decoded by
// protobufjs, independently of the package's own encoder.
const SCHEMA = `
syntax = "proto3";
package logproto;
message Timestamp { int64 seconds = 1; int32 nanos = 2; }
message LabelPairAdapter { string name = 1; string value = 2; }
message EntryAdapter { Timestamp timestamp = 1; string line = 2; repeated LabelPairAdapter structuredMetadata = 3; }
message StreamAdapter { string labels = 1; repeated EntryAdapter entries = 2; uint64 hash = 3; }
message PushRequest { repeated StreamAdapter streams = 1; }
`;

const root = protobuf.parse(SCHEMA).root;
const PushRequest = root.lookupType('logproto.PushRequest');

export interface DecodedEntry {
  /** Nanoseconds since the epoch, as a bigint. */
  ns: bigint;
  line: string;
  metadata: Record<string, string>;
}
export interface DecodedStream {
  labels: string;
  entries: DecodedEntry[];
}

/** Decodes an uncompressed PushRequest with protobufjs. */
export function decodeProto(buf: Uint8Array): DecodedStream[] {
  const msg = PushRequest.toObject(PushRequest.decode(buf), { longs: String, defaults: true, arrays: true }) as any;
  return msg.streams.map((s: any) => ({
    labels: s.labels,
    entries: s.entries.map((e: any) => ({
      ns: BigInt(e.timestamp?.seconds ?? '0') * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0),
      line: e.line,
      metadata: Object.fromEntries((e.structuredMetadata ?? []).map((p: any) => [p.name, p.value])),
    })),
  }));
}

/** Decompresses a snappy block with snappyjs. */
export function unsnappy(buf: Uint8Array): Buffer {
  return Buffer.from(snappy.uncompress(buf));
}
