import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveHub } from '../src/services/live-hub.js';
import { type Harness, nodeService, startHarness } from './helpers/harness.js';
import { SseClient } from './helpers/sse.js';

const line = (message: string) => ({ message, level: 30, levelName: 'INFO', stream: 'stdout' as const, time: 0 });

describe('LiveHub history: bounded in lines and bytes, and says what a late resume missed', () => {
  it('counts the lines between Last-Event-ID and the oldest one kept', () => {
    const hub = new LiveHub(10);
    for (let i = 0; i < 100; i++) hub.publish('a', line(`l${i}`));
    const late = hub.subscribe('a', () => undefined, 40);
    // Lines 41..90 are gone; 91..100 are replayed.
    expect(late.missed).toBe(50);
    expect(late.history.map((l) => l.seq)).toEqual(Array.from({ length: 10 }, (_, i) => 91 + i));
    expect(hub.subscribe('a', () => undefined, 95).missed).toBe(0);
    expect(hub.subscribe('a', () => undefined, 0).missed).toBe(0);
    // An id from an earlier life of the channel (past its newest line): the whole history, nothing counted.
    const stale = hub.subscribe('a', () => undefined, 5000);
    expect(stale.missed).toBe(0);
    expect(stale.history).toHaveLength(10);
  });

  it('keeps at most historyBytes, however many lines that is, and always the newest line', () => {
    const hub = new LiveHub(1_000_000, 10, 64 * 1024);
    for (let i = 0; i < 20_000; i++) hub.publish('a', line(`${i} ${'z'.repeat(1000)}`));
    // About 2 KiB a line: 64 KiB holds some 30 of them.
    expect(hub.retained('a')).toBeLessThan(40);
    expect(hub.retained('a')).toBeGreaterThan(20);
    hub.publish('a', line('x'.repeat(100_000)));
    expect(hub.retained('a')).toBe(1);
    expect(hub.subscribe('a', () => undefined).history[0]!.message).toHaveLength(100_000);
  });
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ loki: false, env: { PACTOWN_SSE_HISTORY_LINES: '30' } });
});
afterAll(async () => {
  await h?.close();
});

describe('GET /services/:id/logs resumed after the history moved on', () => {
  it('sends event: gap with the count of lines it can no longer replay, counts it, then the lines it has', async () => {
    const run = await h.request('POST', '/run', {
      service_id: 'late',
      content: nodeService({ lines: 200, prefix: 'row' }),
    });
    expect(run.body.success).toBe(true);
    // The history holds the last 30 lines (the rows, then the readiness and run lines).
    const first = new SseClient(`${h.url}/services/late/logs`);
    const ready = await first.waitFor((e) => e.event === 'ready', 'ready');
    first.close();
    const kept = first.events.filter((e) => e.event === 'log');
    expect(kept).toHaveLength(30);
    expect(ready.data.history).toBe(30);
    const oldest = Number(kept[0]!.id);
    expect(oldest).toBeGreaterThan(100);

    // A client that saw up to event 20 comes back.
    const resumed = new SseClient(`${h.url}/services/late/logs`, { 'last-event-id': '20' });
    await resumed.waitFor((e) => e.event === 'ready', 'ready');
    resumed.close();
    const gap = resumed.events.find((e) => e.event === 'gap');
    expect(gap?.data).toMatchObject({ dropped: oldest - 21, reason: 'history' });
    expect(resumed.events.indexOf(gap!)).toBe(0);
    expect(resumed.events.filter((e) => e.event === 'log').map((e) => e.id)).toEqual(kept.map((e) => e.id));
    // Every event after 20 is either replayed or in the gap count.
    const newest = Number(kept.at(-1)!.id);
    expect(gap!.data.dropped + kept.length).toBe(newest - 20);
    const health = await h.request('GET', '/health');
    expect(health.body.dropped.sse_resume_gap).toBe(oldest - 21);
    const metrics = (await h.request('GET', '/metrics')).text;
    expect(metrics).toMatch(
      new RegExp(`^pactown_runner_dropped_lines_total\\{reason="sse_resume_gap"\\} ${oldest - 21}$`, 'm'),
    );

    // Resuming inside the history loses nothing and says no gap.
    const inside = new SseClient(`${h.url}/services/late/logs`, { 'last-event-id': String(oldest + 4) });
    await inside.waitFor((e) => e.event === 'ready', 'ready');
    inside.close();
    expect(inside.events.some((e) => e.event === 'gap')).toBe(false);
    expect(inside.events.filter((e) => e.event === 'log')).toHaveLength(25);
  });
});
