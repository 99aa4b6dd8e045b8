import protobuf from 'protobufjs';
import { PUSH_PROTO } from './push-proto.js';
import { type RawStream, rawStream } from './raw-stream.js';

const root = protobuf.parse(PUSH_PROTO, { keepCase: true }).root;
const PushRequest = root.lookupType('logproto.PushRequest');

/** The push schema as protobufjs reflection JSON, for tests that decode pushes themselves. */
export const LOGPROTO_SCHEMA_JSON: Readonly<Record<string, unknown>> = Object.freeze(
  root.toJSON() as Record<string, unknown>,
);

interface DecodedEntry {
  timestamp?: { seconds?: number | { toNumber(): number }; nanos?: number };
  line?: Uint8Array;
  structuredMetadata?: Array<{ name?: string; value?: string }>;
}

interface DecodedStream {
  labels?: string;
  entries?: DecodedEntry[];
}

function toNumber(value: number | { toNumber(): number } | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/**
 * Decodes an uncompressed `logproto.PushRequest` with protobufjs into columns.
 * Lines are views into `message` (protobufjs slices bytes fields without copying).
 */
export function decodePushRequest(message: Buffer): RawStream[] {
  const decoded = PushRequest.decode(message) as unknown as { streams?: DecodedStream[] };
  const out: RawStream[] = [];
  for (const s of decoded.streams ?? []) {
    const entries = s.entries ?? [];
    const raw = rawStream(s.labels ?? '', entries.length, message);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const seconds = toNumber(e.timestamp?.seconds);
      const nanos = e.timestamp?.nanos ?? 0;
      const msInNanos = Math.floor(nanos / 1e6);
      raw.ms[i] = seconds * 1000 + msInNanos;
      raw.sub[i] = nanos - msInNanos * 1e6;
      const line = e.line;
      if (line && line.length > 0) {
        const start = line.byteOffset - message.byteOffset;
        // A view into the message when protobufjs sliced it, else a copy of its own.
        if (line.buffer === message.buffer && start >= 0 && start + line.length <= message.length) {
          raw.start[i] = start;
          raw.end[i] = start + line.length;
        } else {
          raw.data = Buffer.concat([raw.data, line]);
          raw.start[i] = raw.data.length - line.length;
          raw.end[i] = raw.data.length;
        }
      } else {
        raw.start[i] = 0;
        raw.end[i] = 0;
      }
      const pairs = e.structuredMetadata;
      if (pairs && pairs.length > 0) {
        const meta: Record<string, string> = Object.create(null);
        for (const p of pairs) meta[p.name ?? ''] = p.value ?? '';
        raw.metadata[i] = { ...meta };
      } else raw.metadata[i] = undefined;
    }
    out.push(raw);
  }
  return out;
}
