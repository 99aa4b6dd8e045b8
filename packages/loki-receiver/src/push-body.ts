import { constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { LokiHttpError } from './errors.js';
import { goQuote } from './go-quote.js';
import { type RawStream, decodePushRequest, rawStream, setLines } from './proto.js';
import { SnappyError, snappyUncompress } from './snappy.js';
import { parseNsString } from './timestamp.js';

function tooLarge(size: number | undefined, limit: number): LokiHttpError {
  const shown = size === undefined ? 'more than the limit once decompressed' : `${size} bytes`;
  return new LokiHttpError(413, `request body too large: ${shown}, limit: ${limit} bytes`);
}

function inflate(body: Buffer, encoding: string, limit: number): Buffer {
  const opts = { maxOutputLength: limit };
  try {
    if (encoding === 'gzip') return gunzipSync(body, opts);
    // Go's flate reader (what Loki uses) reads raw DEFLATE; HTTP clients often send zlib-wrapped data.
    const zlibWrapped = body.length >= 2 && (body[0]! & 0x0f) === 8 && ((body[0]! << 8) | body[1]!) % 31 === 0;
    return zlibWrapped ? inflateSync(body, opts) : inflateRawSync(body, opts);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e.code === String(constants.Z_BUF_ERROR)) throw tooLarge(undefined, limit);
    throw new LokiHttpError(400, `${encoding}: invalid compressed body: ${e.message}`);
  }
}

// Loki's JSON entry reader (buger/jsonparser) answers a non-string timestamp or
// line with this text; a hint follows it because the original says little.
const MALFORMED_STRING = `Value is string, but can't find closing '"' symbol`;
const MALFORMED_OBJECT = "Value looks like object, but can't find closing '}' symbol";
const ENTRY_SHAPE = 'each entry must be ["<unix epoch nanoseconds as a string>", "<line>", {optional structured metadata}]';

function jsonEntry(value: unknown, into: RawStream, lines: string[], at: number): void {
  if (!Array.isArray(value) || value.length < 2) throw new LokiHttpError(400, `invalid entry ${JSON.stringify(value)}: ${ENTRY_SHAPE}`);
  const [ts, line, meta] = value as [unknown, unknown, unknown];
  if (typeof ts !== 'string') {
    throw new LokiHttpError(400, `${MALFORMED_STRING} (timestamp ${JSON.stringify(ts)} is not a string: ${ENTRY_SHAPE})`);
  }
  if (!/^-?\d+$/.test(ts)) throw new LokiHttpError(400, `Value is number, but can't parse it: timestamp ${goQuote(ts)} is not an integer of nanoseconds`);
  if (typeof line !== 'string') throw new LokiHttpError(400, `${MALFORMED_STRING} (line ${JSON.stringify(line)} is not a string)`);
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

function labelsText(stream: unknown): string {
  if (stream === undefined || stream === null) return '{}';
  if (typeof stream !== 'object' || Array.isArray(stream)) throw new LokiHttpError(400, '"stream" must be an object of label names to string values');
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
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new LokiHttpError(400, 'body must be a JSON object with a "streams" array');
  const streams = (doc as { streams?: unknown }).streams;
  if (streams === undefined || streams === null) return [];
  if (!Array.isArray(streams)) throw new LokiHttpError(400, '"streams" must be an array');
  return streams.map((s: unknown) => {
    if (s === null || typeof s !== 'object') throw new LokiHttpError(400, 'each stream must be an object with "stream" and "values"');
    const { stream, values } = s as { stream?: unknown; values?: unknown };
    if (values !== undefined && values !== null && !Array.isArray(values)) throw new LokiHttpError(400, '"values" must be an array');
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
 * Decodes a push body the way Loki's handler does: Content-Encoding first
 * (gzip, deflate), then JSON for `application/json`, otherwise protobuf in
 * snappy block format.
 */
export function decodePushBody(body: Buffer, contentType: string, contentEncoding: string, limit: number): DecodedPush {
  const encoding = contentEncoding.trim().toLowerCase();
  let data = body;
  if (encoding === 'gzip' || encoding === 'deflate') data = inflate(body, encoding, limit);
  else if (encoding !== '' && encoding !== 'identity' && encoding !== 'snappy') {
    throw new LokiHttpError(415, `Content-Encoding ${goQuote(contentEncoding)} not supported`);
  }
  if (data.length > limit) throw tooLarge(data.length, limit);
  if (contentType === 'application/json') return { format: 'json', streams: decodeJsonPush(data.toString('utf8')) };
  let raw: Uint8Array;
  try {
    raw = snappyUncompress(data, limit);
  } catch (error) {
    if (error instanceof SnappyError && error.tooBig) throw tooLarge(undefined, limit);
    throw new LokiHttpError(400, `snappy: corrupt input (${(error as Error).message})`);
  }
  try {
    return { format: 'protobuf', streams: decodePushRequest(raw) };
  } catch (error) {
    throw new LokiHttpError(400, `proto: invalid push request: ${(error as Error).message}`);
  }
}
