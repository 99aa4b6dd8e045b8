import { constants as bufferConstants } from 'node:buffer';
import { constants, gunzipSync, inflateRawSync } from 'node:zlib';
import { LokiHttpError } from '../errors.js';
import { goQuote } from '../go-quote.js';
import { decodePushRequest } from '../wire/protobuf.js';
import { type RawStream, rawStream, setLines } from '../wire/raw-stream.js';
import { DecompressedTooLarge, snappyUncompress } from '../wire/snappy.js';
import { parseNsString } from '../timestamp.js';
import { parseMediaType } from './media-type.js';

/** Loki's limits on one push body (`distributor.max_recv_msg_size`, `max_decompressed_size`). */
export interface BodyLimits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
}

function decompress(body: Buffer, encoding: 'gzip' | 'deflate', limit: number): Buffer {
  // Loki reads at most limit + 1 decompressed bytes; what follows is cut off.
  // (Node caps one buffer at buffer.constants.MAX_LENGTH, below Loki's 5000 MiB default.)
  const opts = limit > 0 && limit < bufferConstants.MAX_LENGTH ? { maxOutputLength: limit + 1 } : {};
  try {
    if (encoding === 'gzip') {
      if (body.length < 2 || body[0] !== 0x1f || body[1] !== 0x8b) throw new LokiHttpError(400, 'gzip: invalid header');
      return gunzipSync(body, opts);
    }
    // Go's compress/flate reads raw DEFLATE (RFC 1951) only: zlib-wrapped data is corrupt input.
    return inflateRawSync(body, opts);
  } catch (error) {
    if (error instanceof LokiHttpError) throw error;
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new LokiHttpError(400, `decompressed message size too large than max (${limit + 1} vs ${limit})`);
    }
    if (e.code === 'Z_BUF_ERROR' || e.code === String(constants.Z_BUF_ERROR))
      throw new LokiHttpError(400, 'unexpected EOF');
    if (encoding === 'gzip' && /check/i.test(e.message)) throw new LokiHttpError(400, 'gzip: invalid checksum');
    throw new LokiHttpError(400, encoding === 'gzip' ? 'flate: corrupt input' : 'flate: corrupt input');
  }
}

// Loki's JSON entry reader (buger/jsonparser) answers a non-string timestamp or
// line with this text; a hint follows it because the original says little.
const MALFORMED_STRING = `Value is string, but can't find closing '"' symbol`;
const MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol";
const ENTRY_SHAPE =
  'each entry must be ["<unix epoch nanoseconds as a string>", "<line>", {optional structured metadata}]';

function jsonEntry(value: unknown, into: RawStream, lines: string[], at: number): void {
  if (!Array.isArray(value) || value.length < 2)
    throw new LokiHttpError(400, `invalid entry ${JSON.stringify(value)}: ${ENTRY_SHAPE}`);
  const [ts, line, meta] = value as [unknown, unknown, unknown];
  if (typeof ts !== 'string') {
    throw new LokiHttpError(
      400,
      `${MALFORMED_STRING} (timestamp ${JSON.stringify(ts)} is not a string: ${ENTRY_SHAPE})`,
    );
  }
  if (!/^-?\d+$/.test(ts))
    throw new LokiHttpError(
      400,
      `Value is number, but can't parse it: timestamp ${goQuote(ts)} is not an integer of nanoseconds`,
    );
  if (typeof line !== 'string')
    throw new LokiHttpError(400, `${MALFORMED_STRING} (line ${JSON.stringify(line)} is not a string)`);
  let metadata: Record<string, string> | undefined;
  if (meta !== undefined) {
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
      throw new LokiHttpError(400, `${MALFORMED_OBJECT} (structured metadata must be an object of strings)`);
    }
    const pairs = Object.entries(meta as Record<string, unknown>);
    if (pairs.some(([, v]) => typeof v !== 'string')) {
      throw new LokiHttpError(400, `${MALFORMED_STRING} (structured metadata values must be strings)`);
    }
    if (pairs.length > 0) metadata = Object.fromEntries(pairs) as Record<string, string>;
  }
  const [ms, sub] = parseNsString(ts);
  into.ms[at] = ms;
  into.sub[at] = sub;
  lines[at] = line;
  into.metadata[at] = metadata;
}

/** Loki's LabelSet.String (pkg/loghttp/labels.go): names sorted, values strconv.Quote'd. */
function labelsText(stream: unknown): string {
  if (stream === undefined || stream === null) return '{}';
  if (typeof stream !== 'object' || Array.isArray(stream))
    throw new LokiHttpError(400, '"stream" must be an object of label names to string values');
  const pairs = Object.entries(stream as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (pairs.some(([, v]) => typeof v !== 'string')) throw new LokiHttpError(400, 'label values must be strings');
  return `{${pairs.map(([k, v]) => `${k}=${goQuote(v as string)}`).join(', ')}}`;
}

/** Reads Loki's JSON push body: `{"streams":[{"stream":{...},"values":[[ns, line, meta?]]}]}`. */
export function decodeJsonPush(text: string): RawStream[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new LokiHttpError(400, `invalid JSON body: ${(error as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    throw new LokiHttpError(400, 'body must be a JSON object with a "streams" array');
  const streams = (doc as { streams?: unknown }).streams;
  if (streams === undefined || streams === null) return [];
  if (!Array.isArray(streams)) throw new LokiHttpError(400, '"streams" must be an array');
  return streams.map((s: unknown) => {
    if (s === null || typeof s !== 'object')
      throw new LokiHttpError(400, 'each stream must be an object with "stream" and "values"');
    const { stream, values } = s as { stream?: unknown; values?: unknown };
    if (values !== undefined && values !== null && !Array.isArray(values))
      throw new LokiHttpError(400, '"values" must be an array');
    const list = (values as unknown[] | undefined) ?? [];
    const raw = rawStream(labelsText(stream), list.length);
    const lines = new Array<string>(list.length);
    for (let i = 0; i < list.length; i++) jsonEntry(list[i], raw, lines, i);
    setLines(raw, lines);
    return raw;
  });
}

/** What a push request body carried, before validation. */
export interface DecodedPush {
  format: 'json' | 'protobuf';
  streams: RawStream[];
}

/**
 * Decodes a push body as Loki 3.7's parsePushRequestBody does: the
 * Content-Encoding must be exactly `gzip`, `deflate` (raw DEFLATE),
 * `snappy` or absent; the Content-Type must parse as a media type; then JSON
 * for `application/json` and snappy-compressed protobuf for anything else.
 * `received` is how many body bytes arrived (at most maxBodyBytes + 1).
 */
export function decodePushBody(
  body: Buffer,
  contentType: string | undefined,
  contentEncoding: string | undefined,
  limits: BodyLimits,
): DecodedPush {
  const encoding = contentEncoding ?? '';
  if (encoding !== '' && encoding !== 'snappy' && encoding !== 'gzip' && encoding !== 'deflate') {
    throw new LokiHttpError(400, `Content-Encoding ${goQuote(encoding)} not supported`);
  }
  let data = body;
  if (encoding === 'gzip' || encoding === 'deflate') data = decompress(body, encoding, limits.maxDecompressedBytes);
  const media = parseMediaType(contentType ?? '');
  if ('error' in media) throw new LokiHttpError(400, media.error);
  const max = limits.maxBodyBytes;
  if (media.type === 'application/json') {
    const streams = decodeJsonPush(data.toString('utf8'));
    if (max > 0 && body.length > max)
      throw new LokiHttpError(400, `compressed message size ${body.length} exceeds limit ${max}`);
    return { format: 'json', streams };
  }
  if (max > 0 && data.length > max) {
    throw new LokiHttpError(413, `request body too large: message size too large than max (${data.length} vs ${max})`);
  }
  let message: Buffer;
  try {
    message = snappyUncompress(data, limits.maxDecompressedBytes);
  } catch (error) {
    if (error instanceof DecompressedTooLarge) throw new LokiHttpError(400, error.message);
    throw new LokiHttpError(400, 'snappy: corrupt input');
  }
  try {
    return { format: 'protobuf', streams: decodePushRequest(message) };
  } catch (error) {
    const why = (error as Error).message;
    throw new LokiHttpError(400, /index out of range/.test(why) ? 'unexpected EOF' : `proto: ${why}`);
  }
}
