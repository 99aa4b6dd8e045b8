/** Service and user ids: safe as file-name parts, never a path. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_CONTENT_BYTES = 1024 * 1024;
const MAX_ENV_ENTRIES = 100;

export interface RunRequest {
  serviceId: string;
  content: string;
  port: number | undefined;
  env: Record<string, string>;
  userId: string | undefined;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

function bad(field: string, message: string): { ok: false; field: string; message: string } {
  return { ok: false, field, message: `${field} ${message}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function validateId(field: string, value: unknown): Validated<string> {
  if (typeof value !== 'string' || value === '') return bad(field, 'is required and must be a non-empty string');
  if (!ID_PATTERN.test(value) || value.includes('..')) {
    return bad(field, 'must be 1-64 characters of letters, digits, "_", "-" or "." (no "..")');
  }
  return { ok: true, value };
}

/** Validates a `POST /run` body; the first problem found names its field. */
export function validateRunBody(body: unknown): Validated<RunRequest> {
  if (!isObject(body)) return bad('body', 'must be a JSON object');
  const id = validateId('service_id', body.service_id);
  if (!id.ok) return id;
  const { content, port, env, user_id: userId } = body;
  if (typeof content !== 'string' || content.trim() === '') {
    return bad('content', 'is required and must be a non-empty Markdown string');
  }
  if (Buffer.byteLength(content) > MAX_CONTENT_BYTES) return bad('content', 'must be at most 1 MiB');
  if (port !== undefined && port !== null && (!Number.isInteger(port) || (port as number) < 1024 || (port as number) > 65535)) {
    return bad('port', 'must be an integer from 1024 to 65535');
  }
  const cleanEnv: Record<string, string> = {};
  if (env !== undefined && env !== null) {
    if (!isObject(env)) return bad('env', 'must be an object of string values');
    const entries = Object.entries(env);
    if (entries.length > MAX_ENV_ENTRIES) return bad('env', `must have at most ${MAX_ENV_ENTRIES} entries`);
    for (const [key, value] of entries) {
      if (!ENV_NAME.test(key)) return bad(`env.${key}`, 'is not a valid variable name');
      if (typeof value !== 'string') return bad(`env.${key}`, 'must be a string');
      cleanEnv[key] = value;
    }
  }
  if (userId !== undefined && userId !== null) {
    const user = validateId('user_id', userId);
    if (!user.ok) return user;
  }
  return {
    ok: true,
    value: {
      serviceId: id.value,
      content,
      port: typeof port === 'number' ? port : undefined,
      env: cleanEnv,
      userId: typeof userId === 'string' ? userId : undefined,
    },
  };
}

/** Validates a `POST /stop` body. */
export function validateStopBody(body: unknown): Validated<{ serviceId: string }> {
  if (!isObject(body)) return bad('body', 'must be a JSON object');
  const id = validateId('service_id', body.service_id);
  return id.ok ? { ok: true, value: { serviceId: id.value } } : id;
}
