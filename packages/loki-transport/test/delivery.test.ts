import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { LokiClient } from '../src/index.js';
import { receiverFixture } from './helpers/fixture.js';
import { waitFor } from '@pactown/test-helpers';
import { tick } from './helpers/wait.js';

const fx = receiverFixture({ labels: { service: 'api' }, minBackoff: 50, maxBackoff: 1000, drainTimeout: 60_000 });
const { client, warnings } = fx;

async function pushMany(c: LokiClient, from: number, to: number, extra: Record<string, unknown> = {}): Promise<void> {
  for (let i = from; i < to; i++) {
    c.push({ level: 30, time: Date.now(), name: 'pactown.load', msg: `line ${i}`, i, ...extra });
    if (i % 1000 === 999) await tick();
  }
}

function distinctLines(): number {
  return new Set(fx.receiver.entries().map((e) => e.line)).size;
}

describe('Loki going away and coming back', () => {
  it('delivers all 100,000 lines when Loki is down for 10 s in the middle', async () => {
    // Backoff from 250 ms doubling to 4 s, 20 retries: comfortably longer than the outage.
    const c = client({ batchWait: 200, minBackoff: 250, maxBackoff: 4000, maxRetries: 20 });
    await pushMany(c, 0, 50_000);
    await fx.receiver.down({ mode: 'reset' });
    const downAt = Date.now();
    // Keep logging through the outage, spread over its 10 s.
    for (let k = 0; k < 10; k++) {
      await pushMany(c, 50_000 + k * 5000, 55_000 + k * 5000);
      await new Promise((r) => setTimeout(r, Math.max(0, downAt + (k + 1) * 1000 - Date.now())));
    }
    expect(c.metrics().queueLines + c.metrics().pendingLines).toBeGreaterThan(0);
    await fx.receiver.up();
    await c.flush();
    const m = c.metrics();
    expect(fx.receiver.entryCount).toBe(100_000);
    expect(distinctLines()).toBe(100_000);
    expect(m.sentLines).toBe(100_000);
    expect(Object.values(m.droppedLines).reduce((a, b) => a + b, 0)).toBe(0);
    expect(m.retries).toBeGreaterThan(0);
    expect(m.queueBytes).toBe(0);
  }, 120_000);

  it('rides out a 429 storm and 500s', async () => {
    const c = client();
    fx.receiver.failNext(10, 429);
    await pushMany(c, 0, 100);
    await c.flush();
    fx.receiver.failNext(5, 500);
    await pushMany(c, 100, 200);
    await c.flush();
    const m = c.metrics();
    expect(fx.receiver.entryCount).toBe(200);
    expect(m.sentLines).toBe(200);
    expect(m.retries).toBe(15);
    expect(m.requests).toBe(17);
    expect(fx.receiver.stats().pushStatus).toMatchObject({ '429': 10, '500': 5, '204': 2 });
  });

  it('waits as long as Retry-After says', async () => {
    const c = client({ minBackoff: 1, maxBackoff: 5000 });
    fx.receiver.failNext(1, 429, { retryAfter: 1 });
    const t0 = Date.now();
    await pushMany(c, 0, 1);
    await c.flush();
    expect(fx.receiver.entryCount).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('gives up after maxRetries, counts retries_exhausted and says so once', async () => {
    const c = client({ maxRetries: 2, minBackoff: 1, maxBackoff: 5 });
    fx.receiver.failNext(100, 503);
    await pushMany(c, 0, 10);
    await c.flush();
    await pushMany(c, 10, 20);
    await c.flush();
    const m = c.metrics();
    expect(m.droppedLines.retries_exhausted).toBe(20);
    expect(m.retries).toBe(4);
    expect(warnings.filter((w) => w.includes('after 3 attempts'))).toHaveLength(1);
  });

  it('by default retries a batch past any count of failures until Loki takes it', async () => {
    const c = client({ minBackoff: 1, maxBackoff: 5 });
    fx.receiver.failNext(30, 503);
    await pushMany(c, 0, 10);
    await c.flush();
    const m = c.metrics();
    expect(fx.receiver.entryCount).toBe(10);
    expect(m.sentLines).toBe(10);
    expect(m.retries).toBe(30);
    expect(Object.values(m.droppedLines).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it("ends a batch's backoff for an error early once another push is accepted", async () => {
    // Every backoff wait drawn near its 10 s ceiling: the first batch, refused once, would wait ~9.9 s.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);
    try {
      const c = client({ minBackoff: 10_000, maxBackoff: 10_000, batchWait: 100 });
      fx.receiver.failNext(1, 503);
      const t0 = Date.now();
      await pushMany(c, 0, 10);
      await waitFor(() => fx.receiver.stats().pushStatus['503'] === 1, 'the first push refused', 5000);
      // The next batch goes in another slot and is accepted: the first one tries again at once.
      await pushMany(c, 10, 20);
      await c.flush();
      expect(fx.receiver.entryCount).toBe(20);
      expect(c.metrics().retries).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      random.mockRestore();
    }
  });

  it('sends a timed-out push again with a doubled timeout', async () => {
    // 400 ms answers against a 300 ms timeout: the first attempt times out, the retry waits up
    // to 600 ms and is answered. (A timed-out push that did land is harmless: the receiver, as
    // Loki, keeps an exact duplicate once; see its conformance tests.)
    const c = client({ timeout: 300 });
    fx.receiver.setLatency(400);
    await pushMany(c, 0, 50);
    await c.flush();
    const m = c.metrics();
    expect(m.sentLines).toBe(50);
    expect(m.retries).toBe(1);
    expect(m.requests).toBe(2);
    expect(fx.receiver.entryCount).toBe(50);
    expect(distinctLines()).toBe(50);
    expect(Object.values(m.droppedLines).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('retries slow answers that hit the request timeout', async () => {
    const c = client({ timeout: 300 });
    fx.receiver.setLatency(2000);
    await pushMany(c, 0, 50);
    const flushed = c.flush();
    await waitFor(() => c.metrics().retries >= 2, 'two retries', 30_000);
    fx.receiver.setLatency(0);
    await flushed;
    expect(distinctLines()).toBe(50);
    expect(c.metrics().sentLines).toBe(50);
  });
});

describe('answers that are not retried', () => {
  it('counts a 400 partial accept line by line and logs the reason once', async () => {
    const c = client();
    const old = Date.now() - 8 * 24 * 3600 * 1000;
    for (let i = 0; i < 10; i++) c.push({ level: 30, time: i < 3 ? old : Date.now(), name: 'pactown.x', msg: `m${i}` });
    await c.flush();
    for (let i = 0; i < 10; i++) c.push({ level: 30, time: i < 3 ? old : Date.now(), name: 'pactown.x', msg: `n${i}` });
    await c.flush();
    const m = c.metrics();
    expect(fx.receiver.entryCount).toBe(14);
    expect(m.droppedLines.rejected).toBe(6);
    expect(m.sentLines).toBe(14);
    expect(m.retries).toBe(0);
    expect(warnings.filter((w) => w.includes('HTTP 400'))).toHaveLength(1);
    expect(warnings[0]).toMatch(/too old|ignored/);
  });

  it('splits a batch refused with 413 and delivers the halves', async () => {
    // Loki answers 413 for a protobuf body over distributor.max_recv_msg_size (a JSON one is a 400).
    await fx.restart({ maxBodyBytes: 20_000 });
    const c = client({ batchWait: 60_000 });
    for (let i = 0; i < 1000; i++)
      c.push({
        level: 30,
        time: Date.now(),
        name: 'pactown.load',
        msg: `line ${i}`,
        i,
        pad: randomBytes(20).toString('hex'),
      });
    await c.flush();
    const m = c.metrics();
    expect(fx.receiver.entryCount).toBe(1000);
    expect(m.splits).toBeGreaterThanOrEqual(3);
    expect(m.sentLines).toBe(1000);
    expect(fx.receiver.stats().pushStatus['413']).toBe(m.splits);
  });

  it('drops other 4xx without retrying', async () => {
    const c = client();
    fx.receiver.failNext(1, 403);
    await pushMany(c, 0, 5);
    await c.flush();
    expect(c.metrics().droppedLines.rejected).toBe(5);
    expect(c.metrics().retries).toBe(0);
    expect(warnings.join()).toMatch(/HTTP 403/);
  });
});
