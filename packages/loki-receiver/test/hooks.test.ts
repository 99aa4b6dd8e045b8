import { afterEach, describe, expect, it } from 'vitest';
import { type LokiReceiver, startLokiReceiver } from '../src/index.js';
import { jsonBody, nowNs, push, values } from './helpers.js';

let receiver: LokiReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const one = (line: string) => jsonBody([{ stream: { app: 'hooks' }, values: values([{ ts: nowNs(), line }]) }]);

async function connectError(url: string): Promise<string> {
  try {
    await fetch(`${url}/ready`);
    return 'connected';
  } catch (error) {
    return ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
  }
}

describe('test hooks', () => {
  it('failNext fails exactly the next N pushes, with Retry-After when asked', async () => {
    receiver = await startLokiReceiver();
    receiver.failNext(2, 429, { retryAfter: 3 });
    const first = await push(receiver.url, one('1'));
    const second = await push(receiver.url, one('2'));
    const third = await push(receiver.url, one('3'));
    expect([first.status, second.status, third.status]).toEqual([429, 429, 204]);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(receiver.entries().map((e) => e.line)).toEqual(['3']);
    expect(receiver.stats().pushStatus).toEqual({ 429: 2, 204: 1 });
  });

  it('failNext leaves queries alone unless scope is all', async () => {
    receiver = await startLokiReceiver();
    receiver.failNext(1, 503);
    expect((await fetch(`${receiver.url}/ready`)).status).toBe(200);
    expect((await push(receiver.url, one('x'))).status).toBe(503);
    receiver.failNext(1, 500, { scope: 'all' });
    expect((await fetch(`${receiver.url}/ready`)).status).toBe(500);
  });

  it('setLatency delays push answers', async () => {
    receiver = await startLokiReceiver();
    receiver.setLatency(300);
    const started = performance.now();
    expect((await push(receiver.url, one('slow'))).status).toBe(204);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('down() refuses connections and up() comes back on the same port with the data kept', async () => {
    receiver = await startLokiReceiver();
    const { url, port } = receiver;
    expect((await push(url, one('before'))).status).toBe(204);
    await receiver.down();
    expect(receiver.isDown).toBe(true);
    expect(await connectError(url)).toBe('ECONNREFUSED');
    await receiver.up();
    expect(receiver.port).toBe(port);
    expect((await push(url, one('after'))).status).toBe(204);
    expect(receiver.entries().map((e) => e.line)).toEqual(['before', 'after']);
  });

  it("down({mode: 'reset'}) accepts then resets connections", async () => {
    receiver = await startLokiReceiver();
    await receiver.down({ mode: 'reset' });
    expect(await connectError(receiver.url)).toBe('ECONNRESET');
    await receiver.up();
    expect((await push(receiver.url, one('back'))).status).toBe(204);
  });

  it('waitForEntries resolves when the count is reached', async () => {
    receiver = await startLokiReceiver();
    const waiting = receiver.waitForEntries(2, 10_000);
    await push(receiver.url, one('a'));
    await push(receiver.url, one('b'));
    await expect(waiting).resolves.toBeUndefined();
  });

  it('reset() forgets lines, counters and pending failures', async () => {
    receiver = await startLokiReceiver();
    await push(receiver.url, one('a'));
    receiver.failNext(5, 500);
    receiver.reset();
    expect(receiver.entryCount).toBe(0);
    expect(receiver.stats().requests).toBe(0);
    expect((await push(receiver.url, one('b'))).status).toBe(204);
  });

  it('rejects bad hook arguments with TypeError', async () => {
    receiver = await startLokiReceiver();
    expect(() => receiver!.failNext(1, 99)).toThrow(TypeError);
    expect(() => receiver!.failNext(-1, 500)).toThrow(/count/);
    expect(() => receiver!.setLatency(-5)).toThrow(/setLatency/);
  });
});

describe('test hooks over HTTP', () => {
  const post = (url: string, action: string, body: unknown) =>
    fetch(`${url}/__test__/${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('fail-next, stats, entries and reset', async () => {
    receiver = await startLokiReceiver();
    expect((await post(receiver.url, 'fail-next', { count: 1, status: 500, retryAfter: 1 })).status).toBe(200);
    const failed = await push(receiver.url, one('x'));
    expect(failed.status).toBe(500);
    expect(failed.headers.get('retry-after')).toBe('1');
    await push(receiver.url, one('y'));
    const entries = (await (await fetch(`${receiver.url}/__test__/entries`)).json()) as Array<{ line: string }>;
    expect(entries.map((e) => e.line)).toEqual(['y']);
    const stats = (await (await fetch(`${receiver.url}/__test__/stats`)).json()) as {
      pushStatus: Record<string, number>;
    };
    expect(stats.pushStatus).toEqual({ 500: 1, 204: 1 });
    await post(receiver.url, 'reset', {});
    expect(receiver.entryCount).toBe(0);
    expect((await post(receiver.url, 'fail-next', { count: 1, status: 42 })).status).toBe(400);
  });

  it('wait-for-entries answers once the count is reached, 408 on timeout', async () => {
    receiver = await startLokiReceiver();
    const waiting = fetch(`${receiver.url}/__test__/wait-for-entries?count=2&timeoutMs=20000`);
    await push(receiver.url, one('a'));
    await push(receiver.url, one('b'));
    const res = await waiting;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ entries: 2, count: 2 });
    expect((await fetch(`${receiver.url}/__test__/wait-for-entries?count=5&timeoutMs=50`)).status).toBe(408);
  });

  it('wait-for-entries refuses a missing or empty count with 400', async () => {
    receiver = await startLokiReceiver();
    for (const query of ['', '?timeoutMs=50', '?count=', '?count=%20', '?count=x']) {
      const res = await fetch(`${receiver.url}/__test__/wait-for-entries${query}`);
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('wait-for-entries needs count');
    }
    expect((await fetch(`${receiver.url}/__test__/wait-for-entries?count=0`)).status).toBe(200);
  });

  it('down for a while, then back on the same port by itself', async () => {
    receiver = await startLokiReceiver();
    const r = receiver;
    expect((await post(r.url, 'down', { forMs: 2000 })).status).toBe(200);
    await expect.poll(() => r.isDown, { timeout: 10_000, interval: 5 }).toBe(true);
    expect(await connectError(r.url)).toBe('ECONNREFUSED');
    await expect.poll(() => r.isDown, { timeout: 10_000 }).toBe(false);
    await expect.poll(() => connectError(r.url), { timeout: 10_000 }).toBe('connected');
  });
});
