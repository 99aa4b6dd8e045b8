/** A live line as the server sends it (REST history, NDJSON and SSE alike). */
export interface LogLine {
  service_id: string;
  message: string;
  /** Level name: `'INFO'`, `'WARNING'`, ... */
  level: string;
  stream: 'stdout' | 'stderr' | 'system';
  /** ISO 8601. */
  time: string;
  seq?: number;
}

export interface ServiceInfo {
  service_id: string;
  status: string;
  port: number | null;
  pid: number | null;
  user_id: string;
  message?: string | null;
  error_category?: string | null;
  suggestions?: Array<{ action: string; description: string; command?: string }>;
  error_log?: string | null;
  /** The run's restart policy and the restarts made since it began. */
  restart?: 'no' | 'on-failure' | 'always';
  restarts?: number;
}

export type RunResult = Record<string, unknown> & {
  success: boolean;
  service_id?: string;
  error_category?: string;
  suggestions?: Array<{ action: string; description: string; command?: string }>;
  error_log?: string | null;
  message?: string;
  logs?: string[];
};

function headers(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

export async function getJson<T>(path: string, token: string): Promise<T> {
  const res = await fetch(path, { headers: headers(token) });
  if (!res.ok) throw new Error(`${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

export async function postJson<T>(path: string, body: unknown, token: string): Promise<{ status: number; body: T }> {
  const res = await fetch(path, {
    method: 'POST',
    headers: headers(token, { 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

async function* lines(body: ReadableStream<Uint8Array>, separator: string): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let at: number;
    while ((at = buffer.indexOf(separator)) >= 0) {
      yield buffer.slice(0, at);
      buffer = buffer.slice(at + separator.length);
    }
  }
  if (buffer.trim() !== '') yield buffer;
}

/** `POST /run/stream`: calls `onLine` for each log line, resolves with the result. */
export async function runStream(
  body: unknown,
  token: string,
  onLine: (line: LogLine) => void,
): Promise<{ status: number; result: RunResult }> {
  const res = await fetch('/run/stream', {
    method: 'POST',
    headers: headers(token, { 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });
  if (!res.body || !res.headers.get('content-type')?.includes('ndjson')) {
    return { status: res.status, result: (await res.json()) as RunResult };
  }
  let result: RunResult = { success: false, message: 'stream ended without a result' };
  for await (const text of lines(res.body, '\n')) {
    if (text.trim() === '') continue;
    const item = JSON.parse(text) as { type: string; result?: RunResult } & LogLine;
    if (item.type === 'log') onLine(item);
    else if (item.type === 'result' && item.result) result = item.result;
  }
  return { status: res.status, result };
}

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/**
 * Server-Sent Events over fetch (so the Authorization header can be sent,
 * which EventSource cannot do). Resolves when the stream ends or `signal` aborts.
 */
export async function readEvents(
  path: string,
  token: string,
  signal: AbortSignal,
  onEvent: (e: SseEvent) => void,
): Promise<void> {
  const res = await fetch(path, { headers: headers(token, { accept: 'text/event-stream' }), signal });
  if (!res.ok || !res.body) throw new Error(`${res.status} ${await res.text()}`);
  for await (const block of lines(res.body, '\n\n')) {
    const event: SseEvent = { event: 'message', data: '' };
    const data: string[] = [];
    for (const field of block.split('\n')) {
      if (field.startsWith(':')) continue;
      const colon = field.indexOf(':');
      const name = colon < 0 ? field : field.slice(0, colon);
      const value = colon < 0 ? '' : field.slice(colon + 1).replace(/^ /, '');
      if (name === 'event') event.event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'id') event.id = value;
    }
    if (data.length === 0) continue;
    event.data = data.join('\n');
    onEvent(event);
  }
}
