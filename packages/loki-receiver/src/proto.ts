import protobuf from 'protobufjs/light.js';

// Loki's push schema (package logproto), written as protobufjs reflection
// JSON so no .proto parser runs at load time. EntryAdapter.parsed (4) is left
// out: Loki fills it itself, and protobufjs skips a field it does not know.
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

/** The logproto schema as protobufjs reflection JSON (the same one the receiver decodes with). */
export const LOGPROTO_SCHEMA_JSON: Readonly<Record<string, unknown>> = SCHEMA;

let pushRequestType: protobuf.Type | undefined;

function pushRequest(): protobuf.Type {
  pushRequestType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('logproto.PushRequest');
  return pushRequestType;
}

interface LongLike {
  toNumber(): number;
}

interface DecodedEntry {
  timestamp?: { seconds?: number | LongLike; nanos?: number } | null;
  line?: string;
  structuredMetadata?: Array<{ name?: string; value?: string }>;
}

interface DecodedStream {
  labels?: string;
  entries?: DecodedEntry[];
}

/**
 * One stream of a decoded push, before validation: labels still as selector
 * text, entries in columns (times as [epoch ms, ns within the ms]) so a large
 * push allocates a few arrays per stream rather than an object per line.
 */
export interface RawStream {
  labelsText: string;
  ms: number[];
  sub: number[];
  lines: string[];
  metadata: Array<Record<string, string> | undefined>;
}

/** An empty stream to fill column by column. */
export function rawStream(labelsText: string, size = 0): RawStream {
  return { labelsText, ms: new Array(size), sub: new Array(size), lines: new Array(size), metadata: new Array(size) };
}

/** Decodes an uncompressed logproto PushRequest. Throws protobufjs's error on a malformed message. */
export function decodePushRequest(bytes: Uint8Array): RawStream[] {
  const message = pushRequest().decode(bytes) as unknown as { streams?: DecodedStream[] };
  const streams = message.streams ?? [];
  const out: RawStream[] = new Array(streams.length);
  for (let i = 0; i < streams.length; i++) {
    const decoded = streams[i]!.entries ?? [];
    const raw = rawStream(streams[i]!.labels ?? '', decoded.length);
    for (let j = 0; j < decoded.length; j++) {
      const e = decoded[j]!;
      const sm = e.structuredMetadata;
      let metadata: Record<string, string> | undefined;
      if (sm && sm.length > 0) {
        metadata = {};
        for (const pair of sm) metadata[pair.name ?? ''] = pair.value ?? '';
      }
      const t = e.timestamp;
      const s = t?.seconds;
      const seconds = typeof s === 'number' ? s : s ? s.toNumber() : 0;
      const nanos = t?.nanos ?? 0;
      const subMs = Math.floor(nanos / 1_000_000);
      raw.ms[j] = seconds * 1000 + subMs;
      raw.sub[j] = nanos - subMs * 1_000_000;
      raw.lines[j] = e.line ?? '';
      raw.metadata[j] = metadata;
    }
    out[i] = raw;
  }
  return out;
}
