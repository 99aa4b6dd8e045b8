import protobuf from 'protobufjs/light.js';

// Loki's push schema (package logproto), written as protobufjs reflection
// JSON so no .proto parser runs at load time.
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
            parsed: { rule: 'repeated', type: 'LabelPairAdapter', id: 4 },
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

/** One entry of a decoded push, before validation. */
export interface RawEntry {
  /** Epoch milliseconds. */
  ms: number;
  /** Nanoseconds within the millisecond (0-999999). */
  sub: number;
  line: string;
  metadata: Record<string, string> | undefined;
}

/** One stream of a decoded push, before validation: labels still as selector text. */
export interface RawStream {
  labelsText: string;
  entries: RawEntry[];
}


/** Decodes an uncompressed logproto PushRequest. Throws protobufjs's error on a malformed message. */
export function decodePushRequest(bytes: Uint8Array): RawStream[] {
  const message = pushRequest().decode(bytes) as unknown as { streams?: DecodedStream[] };
  const streams = message.streams ?? [];
  const out: RawStream[] = new Array(streams.length);
  for (let i = 0; i < streams.length; i++) {
    const s = streams[i]!;
    const decoded = s.entries ?? [];
    const entries: RawEntry[] = new Array(decoded.length);
    for (let j = 0; j < decoded.length; j++) {
      const e = decoded[j]!;
      let metadata: Record<string, string> | undefined;
      const sm = e.structuredMetadata;
      if (sm && sm.length > 0) {
        metadata = {};
        for (const pair of sm) metadata[pair.name ?? ''] = pair.value ?? '';
      }
      const t = e.timestamp;
      const s = t?.seconds;
      const seconds = typeof s === 'number' ? s : s ? s.toNumber() : 0;
      const nanos = t?.nanos ?? 0;
      const subMs = Math.floor(nanos / 1_000_000);
      entries[j] = { ms: seconds * 1000 + subMs, sub: nanos - subMs * 1_000_000, line: e.line ?? '', metadata };
    }
    out[i] = { labelsText: s.labels ?? '', entries };
  }
  return out;
}
