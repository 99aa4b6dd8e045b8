import { SERVICE_ID_PATTERN } from '../config/service-id.js';

/** The limits of a `POST /run` body. */
export const RUN_LIMITS = Object.freeze({ contentBytes: 1024 * 1024, envEntries: 100 });

const LEVEL_NAMES = ['NOTSET', 'TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'CRITICAL', 'FATAL', 'SILENT'];
// JSON Schema patterns have no flags: each letter matches both cases.
const anyCase = (word: string) => [...word].map((c) => `[${c}${c.toLowerCase()}]`).join('');
const LEVEL_PATTERN = `^(?:${LEVEL_NAMES.map(anyCase).join('|')}|[0-9]{1,3})$`;

const serviceId = { type: 'string', pattern: SERVICE_ID_PATTERN.source } as const;

/** `POST /run` and `POST /run/stream`. */
export const runBodySchema = {
  type: 'object',
  required: ['service_id', 'content'],
  properties: {
    service_id: serviceId,
    content: { type: 'string', pattern: '\\S', maxBytes: RUN_LIMITS.contentBytes },
    port: { type: ['integer', 'null'], minimum: 1024, maximum: 65535 },
    env: {
      type: ['object', 'null'],
      maxProperties: RUN_LIMITS.envEntries,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      additionalProperties: { type: 'string' },
    },
    user_id: { type: ['string', 'null'], pattern: SERVICE_ID_PATTERN.source },
    restart: { type: ['string', 'null'], enum: ['no', 'on-failure', 'always', null] },
  },
} as const;

/** `POST /stop`. */
export const stopBodySchema = {
  type: 'object',
  required: ['service_id'],
  properties: { service_id: serviceId },
} as const;

/** `/services/:id` and everything below it. */
export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: serviceId },
} as const;

/** `GET /services/:id/logs`. */
export const logsQuerySchema = {
  type: 'object',
  properties: { level: { type: 'string', pattern: LEVEL_PATTERN } },
} as const;

/** `GET /services/:id/error-log`. */
export const errorLogQuerySchema = {
  type: 'object',
  properties: { format: { type: 'string', enum: ['text', 'json'] } },
} as const;

/** A `POST /run` body once the schema passed it. */
export interface RunBody {
  service_id: string;
  content: string;
  port?: number | null;
  env?: Record<string, string> | null;
  user_id?: string | null;
  restart?: 'no' | 'on-failure' | 'always' | null;
}

/** What the app runs: the body in the app's own names. */
export interface RunRequest {
  serviceId: string;
  content: string;
  port: number | undefined;
  env: Record<string, string>;
  userId: string | undefined;
  /** The body's restart policy; `undefined` takes the app's default (`PACTOWN_RESTART`). */
  restart: 'no' | 'on-failure' | 'always' | undefined;
}

export function toRunRequest(body: RunBody): RunRequest {
  return {
    serviceId: body.service_id,
    content: body.content,
    port: body.port ?? undefined,
    env: { ...(body.env ?? {}) },
    userId: body.user_id ?? undefined,
    restart: body.restart ?? undefined,
  };
}

// What each field must be, said the same way whichever keyword failed.
const RULES: Record<string, string> = {
  body: 'must be a JSON object',
  service_id:
    'is required and must be 1-64 characters of letters, digits, "_", "-" or ".", starting with a letter or digit (no "..")',
  user_id: 'must be 1-64 characters of letters, digits, "_", "-" or ".", starting with a letter or digit (no "..")',
  content: `is required and must be a non-empty Markdown string of at most ${RUN_LIMITS.contentBytes / 1024 / 1024} MiB`,
  port: 'must be an integer from 1024 to 65535',
  env: `must be an object of at most ${RUN_LIMITS.envEntries} string values`,
  level: 'must be a level name such as DEBUG or INFO',
  format: "must be 'text' or 'json'",
  restart: "must be 'no', 'on-failure' or 'always'",
};

/** One failure as Ajv reports it (the fields the app reads). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  /** Set on failures inside `propertyNames`: the key that failed. */
  propertyName?: string;
  message?: string;
}

/**
 * The field a schema failure names, in the request's own spelling: `service_id`,
 * `env.BAD-NAME`, `level`; the path parameter `:id` is named `service_id`.
 */
export function failedField(context: string | undefined, error: SchemaError): string {
  const parts = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required' && typeof error.params.missingProperty === 'string')
    parts.push(error.params.missingProperty);
  const key = error.propertyName ?? error.params.propertyName;
  if (typeof key === 'string') parts.push(key);
  if (parts.length === 0) return 'body';
  if (context === 'params' && parts[0] === 'id') parts[0] = 'service_id';
  return parts.join('.');
}

/** The 400 message: the field first, then what it must be. */
export function failureMessage(field: string, error: SchemaError): string {
  const top = field.split('.')[0]!;
  if (top === 'env' && field !== 'env') {
    return `${field} ${(error.propertyName ?? error.params.propertyName) !== undefined ? 'is not a valid variable name' : 'must be a string'}`;
  }
  return `${field} ${RULES[top] ?? error.message ?? 'is invalid'}`;
}

/** Ajv plugin: `maxBytes`, a string's UTF-8 length limit (JSON Schema counts characters). */
export function maxBytesKeyword<A extends { addKeyword: (...args: never[]) => unknown }>(ajv: A): A {
  (ajv.addKeyword as unknown as (definition: object) => unknown).call(ajv, {
    keyword: 'maxBytes',
    type: 'string',
    schemaType: 'number',
    errors: false,
    validate: (max: number, data: string) => Buffer.byteLength(data) <= max,
  });
  return ajv;
}
