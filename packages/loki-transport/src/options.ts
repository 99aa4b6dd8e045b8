import fs from 'node:fs';
import { defineOptions } from '@pactown/options';
import {
  hasRefusedRune,
  isReservedLabelName,
  MAX_LABEL_VALUE_BYTES,
  MAX_LABELS,
  sanitizeLabelName,
  toWellFormed,
} from './labels.js';
import type {
  LineFormat,
  LokiMetrics,
  LokiOptions,
  LokiRecord,
  LokiTlsOptions,
  QueuePolicy,
  WireFormat,
} from './types.js';

export const PREFIX = '[@pactown/loki-transport]';
export const PUSH_PATH = '/loki/api/v1/push';

const KiB = 1024;
const MiB = 1024 * KiB;

export const DEFAULT_LABEL_FIELDS = ['service', 'level', 'logger'];
export const DEFAULT_STRUCTURED_METADATA = [
  'user',
  'userId',
  'user_id',
  'serviceId',
  'service_id',
  'instance',
  'instanceId',
  'trace_id',
  'traceId',
  'span_id',
  'spanId',
  'trace_flags',
  'traceFlags',
  'request_id',
  'requestId',
];

const nonEmpty = (v: string[]) => (v.some((x) => x === '') ? 'an array of non-empty strings' : undefined);
const strings = (v: Record<string, unknown>) =>
  Object.values(v).some((x) => typeof x !== 'string') ? 'an object of strings' : undefined;

/**
 * Every option, named once: its kind, default and meaning. `normalizeOptions`
 * validates with it (unknown keys get a did-you-mean), and the README's
 * options table is checked against its names.
 */
export const OPTIONS = defineOptions({
  pkg: '@pactown/loki-transport',
  prefix: 'PACTOWN_LOKI',
  options: {
    url: {
      kind: 'any',
      required: true,
      want: "a URL such as 'http://loki:3100'",
      doc: 'base URL or the full push URL',
    },
    labels: { kind: 'object', default: () => ({}), check: strings, doc: 'static labels' },
    labelFields: {
      kind: 'strings',
      default: () => DEFAULT_LABEL_FIELDS,
      check: nonEmpty,
      doc: 'fields promoted to labels',
    },
    structuredMetadata: {
      kind: 'strings',
      default: () => DEFAULT_STRUCTURED_METADATA,
      check: nonEmpty,
      doc: 'fields sent as structured metadata',
    },
    metadataInLine: { kind: 'boolean', default: true, doc: 'keep metadata fields in the line too' },
    format: { kind: 'enum', values: ['logfmt', 'json', 'pattern'], default: 'logfmt', doc: 'line format' },
    pattern: { kind: 'string', doc: "log-core pattern for format 'pattern'" },
    formatter: { kind: 'function', doc: 'a line formatter function' },
    omitFields: {
      kind: 'strings',
      default: () => ['pid', 'hostname'],
      check: nonEmpty,
      doc: 'fields left out of lines',
    },
    // No prototype: a field called `constructor` or `toString` is not renamed to a function.
    renameFields: {
      kind: 'object',
      default: () => Object.assign(Object.create(null), { userId: 'user', user_id: 'user' }),
      check: strings,
      map: (v: Record<string, string>) => Object.assign(Object.create(null), v),
      doc: 'logfmt keys shown instead',
    },
    wire: { kind: 'enum', values: ['protobuf', 'json'], default: 'protobuf', doc: 'push body format' },
    gzip: { kind: 'boolean', default: false, doc: 'gzip JSON bodies' },
    batchBytes: { kind: 'number', min: 1, default: MiB, doc: 'send a batch at this size' },
    batchWait: { kind: 'number', min: 1, default: 1000, doc: 'send a batch at this age (ms)' },
    sendWhenIdle: {
      kind: 'boolean',
      default: true,
      doc: 'send as soon as the logger is quiet and nothing is in flight',
    },
    idleSendGap: {
      kind: 'number',
      min: 0,
      default: 100,
      doc: 'least time between a batch going out and the next idle send (ms)',
    },
    maxLineBytes: { kind: 'number', min: 64, default: 256_000, doc: 'longest line' },
    lineTooLong: {
      kind: 'enum',
      values: ['truncate', 'drop'],
      default: 'truncate',
      doc: 'what to do with a longer line',
    },
    truncateMarker: {
      kind: 'string',
      default: '…[truncated]',
      check: (v: string, o: Record<string, unknown>) =>
        Buffer.byteLength(v) >= ((o.maxLineBytes as number | undefined) ?? 256_000)
          ? 'shorter than maxLineBytes'
          : undefined,
      doc: 'appended to a cut line',
    },
    maxRetries: {
      kind: 'number',
      min: 0,
      infinity: true,
      default: Number.POSITIVE_INFINITY,
      doc: 'retries after the first attempt (by default a batch is retried until Loki takes it, the queue bound evicts it or close() gives up)',
    },
    minBackoff: { kind: 'number', min: 1, default: 500, doc: 'first backoff ceiling (ms)' },
    maxBackoff: {
      kind: 'number',
      min: 1,
      default: 300_000,
      check: (v: number, o: Record<string, unknown>) =>
        v < ((o.minBackoff as number | undefined) ?? 500)
          ? `>= minBackoff (${(o.minBackoff as number | undefined) ?? 500})`
          : undefined,
      doc: 'largest backoff ceiling (ms)',
    },
    timeout: {
      kind: 'number',
      min: 1,
      default: 30_000,
      doc: 'per request (ms) with no answer; doubled for each retry of a batch that timed out, up to 4 times this',
    },
    queueBytes: { kind: 'number', min: KiB, default: 16 * MiB, doc: 'bound of batches held in memory' },
    queuePolicy: {
      kind: 'enum',
      values: ['drop-oldest', 'backpressure'],
      default: 'drop-oldest',
      doc: 'when the queue is full',
    },
    spoolDir: { kind: 'text', want: 'a folder path', doc: 'spool folder' },
    spoolBytes: { kind: 'number', min: KiB, default: 256 * MiB, doc: 'bound of the spool on disk' },
    spoolWindow: { kind: 'number', min: 1, default: 200, doc: 'longest a line waits before it is on disk (ms)' },
    spoolFsync: { kind: 'enum', values: ['never', 'batch'], default: 'never', doc: 'fsync policy of spool files' },
    maxInFlight: { kind: 'integer', min: 1, default: 8, doc: 'push requests at once' },
    flushOnExit: { kind: 'boolean', default: true, doc: 'spool or push what is left on process.exit()' },
    drainTimeout: { kind: 'number', min: 0, default: 5000, doc: 'how long flush() and close() wait (ms)' },
    tenant: { kind: 'text', want: 'a non-empty string', doc: 'X-Scope-OrgID' },
    basicAuth: { kind: 'any', doc: 'basic auth { username, password }' },
    bearerToken: { kind: 'any', doc: 'bearer token' },
    headers: { kind: 'object', default: () => ({}), doc: 'extra request headers' },
    tls: { kind: 'any', doc: 'TLS settings for https: URLs' },
    metricsInterval: { kind: 'number', min: 0, default: 60_000, doc: 'counters report interval (ms), 0 = off' },
    onMetrics: { kind: 'function', doc: 'receives the counters' },
    onWarning: { kind: 'function', doc: 'receives warnings (default: stderr)' },
  },
});

/** The options after defaults and validation; every field present. Types follow `LokiOptions` except where normalizing changes them. */
export type NormalizedOptions = Required<
  Omit<
    LokiOptions,
    | 'url'
    | 'labelFields'
    | 'structuredMetadata'
    | 'omitFields'
    | 'pattern'
    | 'formatter'
    | 'spoolDir'
    | 'onMetrics'
    | 'tenant'
    | 'basicAuth'
    | 'bearerToken'
    | 'tls'
  >
> & {
  pushUrl: URL;
  baseUrl: URL;
  labelFields: Array<{ field: string; label: string }>;
  structuredMetadata: Array<{ field: string; name: string }>;
  omitFields: Set<string>;
  pattern: string | undefined;
  formatter: ((record: LokiRecord) => string) | undefined;
  spoolDir: string | undefined;
  onMetrics: ((metrics: LokiMetrics) => void) | undefined;
  tls: LokiTlsOptions;
  format: LineFormat;
  wire: WireFormat;
  queuePolicy: QueuePolicy;
};

function bad(name: string, value: unknown, want: string): never {
  throw OPTIONS.invalid(name, value, want);
}

/**
 * A URL as it may be shown (handler names, messages): without `user:password@`,
 * query string or fragment, which can hold credentials.
 */
export function redactUrl(value: unknown): string {
  return String(value)
    .replace(/^([a-z][a-z0-9+.-]*:\/\/|\/\/)?[^/\\?#]*@/i, '$1')
    .replace(/[?#][\s\S]*$/, '');
}

function parseUrl(input: unknown): { pushUrl: URL; baseUrl: URL } {
  const value = typeof input === 'string' ? input : undefined;
  const shown = typeof input === 'string' ? redactUrl(input) : input;
  if (value === undefined || value === '') bad('url', shown, "a URL such as 'http://loki:3100'");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    bad('url', shown, "a URL such as 'http://loki:3100'");
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') bad('url', shown, 'an http: or https: URL');
  const base = new URL(url.href);
  if (base.pathname.endsWith(PUSH_PATH)) base.pathname = base.pathname.slice(0, -PUSH_PATH.length);
  const pushUrl = new URL(base.href);
  pushUrl.pathname = `${base.pathname.replace(/\/+$/, '')}${PUSH_PATH}`;
  return { pushUrl, baseUrl: base };
}

function buildLabels(o: Record<string, unknown>): Pick<NormalizedOptions, 'labels' | 'labelFields'> {
  const raw = o.labels as Record<string, string>;
  const labels: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(raw)) {
    const clean = sanitizeLabelName(name);
    if (isReservedLabelName(clean))
      bad(`labels.${name}`, value, 'a label whose name does not start with "__" (reserved by Loki)');
    const bytes = Buffer.byteLength(toWellFormed(value));
    // Loki would refuse every batch (400); cutting a static value silently could merge streams meant apart.
    if (bytes > MAX_LABEL_VALUE_BYTES)
      bad(
        `labels.${name}`,
        `${value.slice(0, 40)}... (${bytes} bytes)`,
        `a value of at most ${MAX_LABEL_VALUE_BYTES} bytes (Loki's max_label_value_length)`,
      );
    // Loki refuses U+FFFD and lone surrogates in a label value with every batch.
    if (hasRefusedRune(value))
      bad(`labels.${name}`, value, 'a value without U+FFFD or lone surrogates (Loki refuses them in labels)');
    if (value !== '') labels[clean] = value;
  }
  const labelFields = (o.labelFields as string[]).map((field) => {
    const label = sanitizeLabelName(field);
    if (isReservedLabelName(label))
      bad('labelFields', o.labelFields, 'field names that do not start with "__" (reserved by Loki)');
    return { field, label };
  });
  const names = new Set([...Object.keys(labels), ...labelFields.map((f) => f.label)]);
  if (names.size > MAX_LABELS)
    bad('labelFields', [...names], `at most ${MAX_LABELS} labels in all (Loki's limit), static ones included`);
  return { labels, labelFields };
}

// RFC 7230 token characters, for header names.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What Node lets through in a header value: tab, visible ASCII, space and Latin-1 (no CR, LF, NUL or other controls).
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 7617: no control characters in user-id or password.
const CONTROL = /[\x00-\x1f\x7f]/;

function buildHeaders(o: Record<string, unknown>): Record<string, string> {
  const headers: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(o.headers as Record<string, unknown>)) {
    if (typeof value !== 'string') bad(`headers.${name}`, '[hidden]', 'a string');
    headers[name] = value;
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name))
      bad(
        `headers.${name}`,
        value,
        "a header whose name is an HTTP token (letters, digits and !#$%&'*+-.^_`|~, no spaces)",
      );
    // The value may be a secret: not shown.
    if (!HEADER_VALUE.test(value))
      bad(`headers.${name}`, '[hidden]', 'a header value without CR, LF, NUL or other control characters');
  }
  if (typeof o.tenant === 'string') {
    if (!HEADER_VALUE.test(o.tenant))
      bad('tenant', o.tenant, 'a tenant id without CR, LF, NUL or other control characters');
    headers['X-Scope-OrgID'] = o.tenant;
  }
  const basic = o.basicAuth as LokiOptions['basicAuth'] | undefined;
  if (basic !== undefined) {
    if (
      typeof basic !== 'object' ||
      basic === null ||
      typeof basic.username !== 'string' ||
      typeof basic.password !== 'string'
    ) {
      bad('basicAuth', basic === null ? null : '[object]', 'an object { username: string, password: string }');
    }
    if (CONTROL.test(basic.username) || CONTROL.test(basic.password) || basic.username.includes(':')) {
      bad(
        'basicAuth',
        '[hidden]',
        'a username without ":" and a username and password without CR, LF, NUL or other control characters',
      );
    }
    headers.Authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
  }
  if (o.bearerToken !== undefined) {
    if (typeof o.bearerToken !== 'string' || o.bearerToken === '') bad('bearerToken', '[hidden]', 'a non-empty string');
    if (!HEADER_VALUE.test(o.bearerToken))
      bad('bearerToken', '[hidden]', 'a token without CR, LF, NUL or other control characters');
    if (basic !== undefined)
      bad('bearerToken', '[hidden]', 'left out when basicAuth is set (one Authorization header)');
    headers.Authorization = `Bearer ${o.bearerToken}`;
  }
  return headers;
}

// PEM text (a Buffer or typed array of it passes too, as Node takes either).
const isPem = (v: unknown): boolean => typeof v === 'string' || ArrayBuffer.isView(v);

function buildTls(value: unknown): LokiTlsOptions {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    bad('tls', value, 'an object { ca?, cert?, key?, rejectUnauthorized?, servername? }');
  const tls = { ...(value as Record<string, unknown>) };
  const { ca, cert, key, rejectUnauthorized, servername } = tls;
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.every(isPem)))
    bad('tls.ca', ca, 'a PEM string or an array of them');
  if (cert !== undefined && !isPem(cert)) bad('tls.cert', cert, 'a PEM string');
  // A private key: not shown.
  if (key !== undefined && !isPem(key)) bad('tls.key', typeof key, 'a PEM string');
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean')
    bad('tls.rejectUnauthorized', rejectUnauthorized, 'a boolean');
  if (servername !== undefined && typeof servername !== 'string') bad('tls.servername', servername, 'a string');
  return tls as LokiTlsOptions;
}

/** Writes a warning to stderr at once (synchronously: it must get out from pino's worker and from an 'exit' listener too). */
export function writeWarning(message: string): void {
  try {
    fs.writeSync(2, `${PREFIX} ${message}\n`);
  } catch {
    // stderr closed: nowhere left to say it.
  }
}

/** Copies, defaults and validates the options; a bad one throws a `TypeError` naming it (code `PACTOWN_LOKI_INVALID_OPTION`, or `PACTOWN_LOKI_UNKNOWN_OPTION` with the nearest valid name). */
export function normalizeOptions(input: LokiOptions): NormalizedOptions {
  if (input === null || typeof input !== 'object') bad('options', input, 'an object with at least { url }');
  const o = OPTIONS.parse(Object.assign(Object.create(null), input), 'the options of @pactown/loki-transport');
  return {
    ...(o as Omit<
      NormalizedOptions,
      | 'pushUrl'
      | 'baseUrl'
      | 'labels'
      | 'labelFields'
      | 'structuredMetadata'
      | 'omitFields'
      | 'headers'
      | 'tls'
      | 'onWarning'
    >),
    ...parseUrl(o.url),
    ...buildLabels(o),
    structuredMetadata: (o.structuredMetadata as string[]).map((field) => ({ field, name: sanitizeLabelName(field) })),
    omitFields: new Set(o.omitFields as string[]),
    headers: buildHeaders(o),
    tls: buildTls(o.tls),
    onWarning: (o.onWarning as ((message: string) => void) | undefined) ?? writeWarning,
  };
}
