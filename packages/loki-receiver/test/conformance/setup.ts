import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type LokiReceiver, type LokiReceiverOptions, startLokiReceiver } from '../../src/index.js';

/**
 * Every case here states the Loki 3.7.6 source file (github.com/grafana/loki,
 * tag v3.7.6) or documentation page the behaviour comes from.
 */
export function sharedReceiver(options: LokiReceiverOptions = {}): { get: () => LokiReceiver } {
  let receiver: LokiReceiver;
  beforeAll(async () => {
    receiver = await startLokiReceiver(options);
  });
  afterAll(async () => {
    await receiver.close();
  });
  beforeEach(() => receiver.reset());
  return { get: () => receiver };
}

export async function withReceiver(
  options: LokiReceiverOptions,
  fn: (r: LokiReceiver) => Promise<void>,
): Promise<void> {
  const r = await startLokiReceiver(options);
  try {
    await fn(r);
  } finally {
    await r.close();
  }
}

/** A raw HTTP push with exactly the headers given (fetch adds none of its own that matter here). */
export async function rawPush(
  url: string,
  body: Buffer | string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${url}/loki/api/v1/push`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? Buffer.from(body) : body,
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
