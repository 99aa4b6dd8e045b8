import { describe, expect, it } from 'vitest';
import type { LokiClient } from '../src/index.js';
import { receiverFixture } from './helpers/fixture.js';

const fx = receiverFixture({
  labels: { service: 'api' },
  batchWait: 20,
  minBackoff: 50,
  maxBackoff: 200,
  maxRetries: 1000,
  drainTimeout: 300,
});
const { client } = fx;

function pushLines(c: LokiClient, count: number): void {
  for (let i = 0; i < count; i++) c.push({ level: 30, time: Date.now(), name: 'pactown.close', msg: `line ${i}` });
}

function totalDropped(c: LokiClient): number {
  return Object.values(c.metrics().droppedLines).reduce((a, b) => a + b, 0);
}

describe('close() after drainTimeout', () => {
  it('counts every line it could not deliver to a Loki that is down as dropped.closed', async () => {
    await fx.receiver.down();
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
    await fx.receiver.up();
    expect(fx.receiver.entryCount).toBe(0);
  });

  it('counts the lines of a request still waiting on a slow Loki as dropped.closed', async () => {
    fx.receiver.setLatency(3_000);
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
    await fx.receiver.down();
    pushLines(c, 50);
    await c.close();
    const m = c.metrics();
    expect(m.sentLines).toBe(100);
    expect(m.droppedLines.closed).toBe(50);
    expect(totalDropped(c)).toBe(50);
    await fx.receiver.up();
    expect(fx.receiver.entryCount).toBe(100);
  });

  it('counts a line pushed after close() as dropped.closed', async () => {
    const c = client();
    await c.close();
    expect(c.closed).toBe(true);
    pushLines(c, 3);
    expect(c.metrics().droppedLines.closed).toBe(3);
    expect(fx.receiver.entryCount).toBe(0);
  });

  it('says so on stderr when a line is pushed after close(), not only in the counters', async () => {
    const c = client();
    await c.close();
    pushLines(c, 3);
    expect(fx.warnings.filter((w) => w.includes('after the Loki client was closed'))).toEqual([
      expect.stringMatching(/^PACTOWN_LOKI_UNDELIVERED: a line was logged after the Loki client was closed/),
    ]);
  });

  it('delivers lines pushed while close() is still draining (a shutdown logs on its way out)', async () => {
    fx.receiver.setLatency(200);
    const c = client({ drainTimeout: 5_000 });
    pushLines(c, 10);
    const closing = c.close();
    expect(c.closed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    pushLines(c, 5);
    await closing;
    const m = c.metrics();
    expect(m.droppedLines.closed).toBe(0);
    expect(m.sentLines).toBe(15);
    expect(fx.receiver.entryCount).toBe(15);
  });
});
