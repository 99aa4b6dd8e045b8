import fs from 'node:fs';
import { MAX_LABEL_VALUE_BYTES, MAX_LABELS, isReservedLabelName, sanitizeLabelName, toWellFormed } from './labels.js';
import type { SpoolFsync } from './spool.js';
import type { LineFormat, LokiMetrics, LokiOptions, LokiRecord, LokiTlsOptions, QueuePolicy, WireFormat } from './types.js';

export const PREFIX = '[@pactown/loki-transport]';
export const PUSH_PATH = '/loki/api/v1/push';

/** The options after defaults and validation; every field present. */
export interface NormalizedOptions {
  pushUrl: URL;
  baseUrl: URL;
  labels: Record<string, string>;
  labelFields: Array<{ field: string; label: string }>;
  structuredMetadata: Array<{ field: string; name: string }>;
  metadataInLine: boolean;
  format: LineFormat;
  pattern: string | undefined;
  formatter: ((record: LokiRecord) => string) | undefined;
  omitFields: Set<string>;
  renameFields: Record<string, string>;
  wire: WireFormat;
  gzip: boolean;
  batchBytes: number;
  batchWait: number;
  sendWhenIdle: boolean;
  maxLineBytes: number;
  lineTooLong: 'truncate' | 'drop';
  truncateMarker: string;
  maxRetries: number;
  minBackoff: number;
  maxBackoff: number;
  timeout: number;
  queueBytes: number;
  queuePolicy: QueuePolicy;
  spoolDir: string | undefined;
  spoolBytes: number;
  spoolWindow: number;
  spoolFsync: SpoolFsync;
  maxInFlight: number;
  flushOnExit: boolean;
  drainTimeout: number;
  headers: Record<string, string>;
  tls: LokiTlsOptions;
  metricsInterval: number;
  onMetrics: ((metrics: LokiMetrics) => void) | undefined;
  onWarning: (message: string) => void;
}

export const DEFAULT_LABEL_FIELDS = ['service', 'level', 'logger'];
export const DEFAULT_STRUCTURED_METADATA = ['user', 'userId', 'user_id', 'serviceId', 'service_id', 'instance', 'instanceId', 'trace_id', 'traceId', 'span_id', 'spanId', 'trace_flags', 'traceFlags', 'request_id', 'requestId'];

function bad(name: string, value: unknown, want: string): never {
  let shown: string;
  try {
    shown = typeof value === 'function' ? 'a function' : JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new TypeError(`${PREFIX} option "${name}" must be ${want}, got ${shown}`);
}

function num(o: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const v = o[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) bad(name, v, `a finite number >= ${min}`);
  return v;
}

function int(o: Record<string, unknown>, name: string, fallback: number, min: number): number {
  const v = num(o, name, fallback, min);
  if (!Number.isInteger(v)) bad(name, v, `a whole number >= ${min}`);
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, name: string, values: readonly T[], fallback: T): T {
  const v = o[name];
  if (v === undefined) return fallback;
  if (!values.includes(v as T)) bad(name, v, `one of ${values.map((x) => `'${x}'`).join(', ')}`);
  return v as T;
}

function stringRecord(o: Record<string, unknown>, name: string): Record<string, string> {
  const v = o[name];
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad(name, v, 'an object of strings');
  const out: Record<string, string> = Object.create(null);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') bad(`${name}.${k}`, x, 'a string');
    out[k] = x;
  }
  return out;
}

function stringList(o: Record<string, unknown>, name: string, fallback: string[]): string[] {
  const v = o[name];
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) bad(name, v, 'an array of non-empty strings');
  return v as string[];
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
  const raw = stringRecord(o, 'labels');
  const labels: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(raw)) {
    const clean = sanitizeLabelName(name);
    if (isReservedLabelName(clean)) bad(`labels.${name}`, value, 'a label whose name does not start with "__" (reserved by Loki)');
    const bytes = Buffer.byteLength(toWellFormed(value));
    // Loki would refuse every batch (400); cutting a static value silently could merge streams meant apart.
    if (bytes > MAX_LABEL_VALUE_BYTES) bad(`labels.${name}`, `${value.slice(0, 40)}... (${bytes} bytes)`, `a value of at most ${MAX_LABEL_VALUE_BYTES} bytes (Loki's max_label_value_length)`);
    if (value !== '') labels[clean] = value;
  }
  const labelFields = stringList(o, 'labelFields', DEFAULT_LABEL_FIELDS).map((field) => {
    const label = sanitizeLabelName(field);
    if (isReservedLabelName(label)) bad('labelFields', o.labelFields, 'field names that do not start with "__" (reserved by Loki)');
    return { field, label };
  });
  const names = new Set([...Object.keys(labels), ...labelFields.map((f) => f.label)]);
  if (names.size > MAX_LABELS) bad('labelFields', [...names], `at most ${MAX_LABELS} labels in all (Loki's limit), static ones included`);
  return { labels, labelFields };
}

// RFC 7230 token characters, for header names.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What Node lets through in a header value: tab, visible ASCII, space and Latin-1 (no CR, LF, NUL or other controls).
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// RFC 7617: no control characters in user-id or password.
const CONTROL = /[\x00-\x1f\x7f]/;

function buildHeaders(o: Record<string, unknown>): Record<string, string> {
  const headers = stringRecord(o, 'headers');
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) bad(`headers.${name}`, value, 'a header whose name is an HTTP token (letters, digits and !#$%&\'*+-.^_`|~, no spaces)');
    // The value may be a secret: not shown.
    if (!HEADER_VALUE.test(value)) bad(`headers.${name}`, '[hidden]', 'a header value without CR, LF, NUL or other control characters');
  }
  if (o.tenant !== undefined) {
    if (typeof o.tenant !== 'string' || o.tenant === '') bad('tenant', o.tenant, 'a non-empty string');
    if (!HEADER_VALUE.test(o.tenant)) bad('tenant', o.tenant, 'a tenant id without CR, LF, NUL or other control characters');
    headers['X-Scope-OrgID'] = o.tenant;
  }
  const basic = o.basicAuth as LokiOptions['basicAuth'] | undefined;
  if (basic !== undefined) {
    if (typeof basic !== 'object' || basic === null || typeof basic.username !== 'string' || typeof basic.password !== 'string') {
      bad('basicAuth', basic === null ? null : '[object]', 'an object { username: string, password: string }');
    }
    if (CONTROL.test(basic.username) || CONTROL.test(basic.password) || basic.username.includes(':')) {
      bad('basicAuth', '[hidden]', 'a username without ":" and a username and password without CR, LF, NUL or other control characters');
    }
    headers.Authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
  }
  if (o.bearerToken !== undefined) {
    if (typeof o.bearerToken !== 'string' || o.bearerToken === '') bad('bearerToken', '[hidden]', 'a non-empty string');
    if (!HEADER_VALUE.test(o.bearerToken)) bad('bearerToken', '[hidden]', 'a token without CR, LF, NUL or other control characters');
    if (basic !== undefined) bad('bearerToken', '[hidden]', 'left out when basicAuth is set (one Authorization header)');
    headers.Authorization = `Bearer ${o.bearerToken}`;
  }
  return headers;
}

// PEM text (a Buffer or typed array of it passes too, as Node takes either).
const isPem = (v: unknown): boolean => typeof v === 'string' || ArrayBuffer.isView(v);

function buildTls(value: unknown): LokiTlsOptions {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad('tls', value, 'an object { ca?, cert?, key?, rejectUnauthorized?, servername? }');
  const tls = { ...(value as Record<string, unknown>) };
  const { ca, cert, key, rejectUnauthorized, servername } = tls;
  if (ca !== undefined && !isPem(ca) && !(Array.isArray(ca) && ca.every(isPem))) bad('tls.ca', ca, 'a PEM string or an array of them');
  if (cert !== undefined && !isPem(cert)) bad('tls.cert', cert, 'a PEM string');
  // A private key: not shown.
  if (key !== undefined && !isPem(key)) bad('tls.key', typeof key, 'a PEM string');
  if (rejectUnauthorized !== undefined && typeof rejectUnauthorized !== 'boolean') bad('tls.rejectUnauthorized', rejectUnauthorized, 'a boolean');
  if (servername !== undefined && typeof servername !== 'string') bad('tls.servername', servername, 'a string');
  return tls as LokiTlsOptions;
}

function fn<T>(o: Record<string, unknown>, name: string): T | undefined {
  const v = o[name];
  if (v !== undefined && typeof v !== 'function') bad(name, v, 'a function');
  return v as T | undefined;
}

const KNOWN = new Set(['url', 'labels', 'labelFields', 'structuredMetadata', 'metadataInLine', 'format', 'pattern', 'formatter', 'omitFields', 'renameFields', 'wire', 'gzip', 'batchBytes', 'batchWait', 'sendWhenIdle', 'maxLineBytes', 'lineTooLong', 'truncateMarker', 'maxRetries', 'minBackoff', 'maxBackoff', 'timeout', 'queueBytes', 'queuePolicy', 'spoolDir', 'spoolBytes', 'spoolWindow', 'spoolFsync', 'maxInFlight', 'flushOnExit', 'drainTimeout', 'tenant', 'basicAuth', 'bearerToken', 'headers', 'tls', 'metricsInterval', 'onMetrics', 'onWarning']);

/** Writes a warning to stderr at once (synchronously: it must get out from pino's worker and from an 'exit' listener too). */
export function writeWarning(message: string): void {
  try {
    fs.writeSync(2, `${PREFIX} ${message}\n`);
  } catch {
    // stderr closed: nowhere left to say it.
  }
}

/** Copies, defaults and validates the options; a bad one throws a `TypeError` naming it. */
export function normalizeOptions(input: LokiOptions): NormalizedOptions {
  if (input === null || typeof input !== 'object') bad('options', input, 'an object with at least { url }');
  const o: Record<string, unknown> = Object.assign(Object.create(null), input);
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) bad(key, o[key], 'left out: it is not an option of @pactown/loki-transport');
  }
  const tls = buildTls(o.tls);
  const format = oneOf(o, 'format', ['logfmt', 'json', 'pattern'] as const, 'logfmt');
  if (o.pattern !== undefined && typeof o.pattern !== 'string') bad('pattern', o.pattern, 'a string');
  const spoolDir = o.spoolDir;
  if (spoolDir !== undefined && (typeof spoolDir !== 'string' || spoolDir === '')) bad('spoolDir', spoolDir, 'a folder path');
  const marker = o.truncateMarker ?? '…[truncated]';
  if (typeof marker !== 'string') bad('truncateMarker', marker, 'a string');
  const maxLineBytes = num(o, 'maxLineBytes', 256_000, 64);
  if (Buffer.byteLength(marker) >= maxLineBytes) bad('truncateMarker', marker, 'shorter than maxLineBytes');
  // No prototype: a field called `constructor` or `toString` is not renamed to a function.
  const renameFields = o.renameFields === undefined ? Object.assign(Object.create(null) as Record<string, string>, { userId: 'user', user_id: 'user' }) : stringRecord(o, 'renameFields');
  const minBackoff = num(o, 'minBackoff', 500, 1);
  const maxBackoff = num(o, 'maxBackoff', 300_000, 1);
  if (maxBackoff < minBackoff) bad('maxBackoff', maxBackoff, `>= minBackoff (${minBackoff})`);
  for (const key of ['metadataInLine', 'gzip', 'sendWhenIdle', 'flushOnExit'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') bad(key, o[key], 'a boolean');
  }
  return {
    ...parseUrl(o.url),
    ...buildLabels(o),
    structuredMetadata: stringList(o, 'structuredMetadata', DEFAULT_STRUCTURED_METADATA).map((field) => ({ field, name: sanitizeLabelName(field) })),
    metadataInLine: (o.metadataInLine as boolean | undefined) ?? true,
    format,
    pattern: o.pattern as string | undefined,
    formatter: fn(o, 'formatter'),
    omitFields: new Set(stringList(o, 'omitFields', ['pid', 'hostname'])),
    renameFields,
    wire: oneOf(o, 'wire', ['protobuf', 'json'] as const, 'protobuf'),
    gzip: (o.gzip as boolean | undefined) ?? false,
    batchBytes: num(o, 'batchBytes', 1024 * 1024, 1),
    batchWait: num(o, 'batchWait', 1000, 1),
    sendWhenIdle: (o.sendWhenIdle as boolean | undefined) ?? true,
    maxLineBytes,
    lineTooLong: oneOf(o, 'lineTooLong', ['truncate', 'drop'] as const, 'truncate'),
    truncateMarker: marker,
    maxRetries: num(o, 'maxRetries', 10, 0),
    minBackoff,
    maxBackoff,
    timeout: num(o, 'timeout', 10_000, 1),
    queueBytes: num(o, 'queueBytes', 16 * 1024 * 1024, 1024),
    queuePolicy: oneOf(o, 'queuePolicy', ['drop-oldest', 'backpressure'] as const, 'drop-oldest'),
    spoolDir: spoolDir as string | undefined,
    spoolBytes: num(o, 'spoolBytes', 256 * 1024 * 1024, 1024),
    spoolWindow: num(o, 'spoolWindow', 200, 1),
    spoolFsync: oneOf(o, 'spoolFsync', ['never', 'batch'] as const, 'never'),
    maxInFlight: int(o, 'maxInFlight', 8, 1),
    flushOnExit: (o.flushOnExit as boolean | undefined) ?? true,
    drainTimeout: num(o, 'drainTimeout', 5000, 0),
    headers: buildHeaders(o),
    tls,
    metricsInterval: num(o, 'metricsInterval', 60_000, 0),
    onMetrics: fn(o, 'onMetrics'),
    onWarning: fn(o, 'onWarning') ?? writeWarning,
  };
}
