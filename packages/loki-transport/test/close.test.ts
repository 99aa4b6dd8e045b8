import { type LokiReceiver, startLokiReceiver } from '@pactown/loki-receiver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLokiClient, type LokiClient, type LokiOptions } from '../src/index.js';

let receiver: LokiReceiver;
const clients: LokiClient[] = [];
const warnings: string[] = [];

function client(options: Partial<LokiOptions> = {}): LokiClient {
  const c = createLokiClient({
    url: receiver.url,
    labels: { service: 'api' },
    metricsInterval: 0,
    batchWait: 20,
    minBackoff: 50,
    maxBackoff: 200,
    maxRetries: 1000,
    drainTimeout: 300,
    onWarning: (m) => warnings.push(m),
    ...options,
  });
  clients.push(c);
  return c;
}

function pushLines(c: LokiClient, count: number): void {
  for (let i = 0; i < count; i++) c.push({ level: 30, time: Date.now(), name: 'pactown.close', msg: `line ${i}` });
}

function totalDropped(c: LokiClient): number {
  return Object.values(c.metrics().droppedLines).reduce((a, b) => a + b, 0);
}

beforeEach(async () => {
  receiver = await startLokiReceiver();
  warnings.length = 0;
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await receiver.close();
});

describe('close() after drainTimeout', () => {
  it('counts every line it could not deliver to a Loki that is down as dropped.closed', async () => {
    await receiver.down();
    const c = client();
    pushLines(c, 500);
    const started = Date.now();
    await c.close();
    // close() gives up after drainTimeout instead of retrying for ever.
    expect(Date.now() - started).toBeLessThan(5_000);
    const m = c.metrics();
    expect(m.sentLines).toBe(0);
    expect(m.droppedLines.closed).toBe(500);
    expect(m.droppedBytes.closed).toBeGreaterThan(500 * 'line 0'.length);
    expect(totalDropped(c)).toBe(500);
    expect(m.queueLines + m.pendingLines).toBe(0);
    await receiver.up();
    expect(receiver.entryCount).toBe(0);
  });

  it('counts the lines of a request still waiting on a slow Loki as dropped.closed', async () => {
    receiver.setLatency(3_000);
    const c = client({ timeout: 10_000 });
    pushLines(c, 200);
    const started = Date.now();
    await c.close();
    expect(Date.now() - started).toBeLessThan(2_500);
    const m = c.metrics();
    expect(m.sentLines).toBe(0);
    expect(m.droppedLines.closed).toBe(200);
    expect(totalDropped(c)).toBe(200);
    expect(m.queueLines + m.pendingLines).toBe(0);
  });

  it('counts only the undelivered part: lines Loki accepted before the outage are sent, not dropped', async () => {
    const c = client();
    pushLines(c, 100);
    await c.flush();
    expect(c.metrics().sentLines).toBe(100);
    await receiver.down();
    pushLines(c, 50);
    await c.close();
    const m = c.metrics();
    expect(m.sentLines).toBe(100);
    expect(m.droppedLines.closed).toBe(50);
    expect(totalDropped(c)).toBe(50);
    await receiver.up();
    expect(receiver.entryCount).toBe(100);
  });

  it('counts a line pushed after close() as dropped.closed', async () => {
    const c = client();
    await c.close();
    expect(c.closed).toBe(true);
    pushLines(c, 3);
    expect(c.metrics().droppedLines.closed).toBe(3);
    expect(receiver.entryCount).toBe(0);
  });
});
