import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { receiverFixture } from './helpers/fixture.js';
import { tick } from './helpers/wait.js';

// Loki's ingestion rate limit (4 MiB/s with a 6 MiB burst, on by default) answers 429 to the
// pushes above it. A client that retries each of its requests on its own clock keeps hammering;
// one that paces itself holds every send slot for the backoff after a 429.
const fx = receiverFixture({ labels: { service: 'api' }, drainTimeout: 60_000 });

describe('pacing at the ingestion rate limit', () => {
  it('after a 429, no slot starts a request until the backoff is over, and every line arrives', async () => {
    const c = fx.client({ maxInFlight: 4, batchBytes: 512 * 1024, batchWait: 50, minBackoff: 200, maxBackoff: 2000 });
    const LINES = 16_000; // 16 MiB of lines: about 2.5 s above the burst at 4 MiB/s
    for (let i = 0; i < LINES; i++) {
      c.push({ level: 30, time: Date.now(), msg: `${i} ${randomBytes(500).toString('hex')}` });
      if (i % 500 === 499) await tick();
    }
    await c.flush();
    const m = c.metrics();
    const status = fx.receiver.stats().pushStatus as Record<string, number>;
    expect(m.sentLines).toBe(LINES);
    expect(fx.receiver.entryCount).toBe(LINES);
    expect(status['429'] ?? 0).toBeGreaterThan(0);
    // Paced: the refusals are a small share of the requests (unpaced, the slots retried at full speed).
    expect(m.throttled).toBeGreaterThan(0);
    expect(m.throttled).toBe(status['429']);
    expect(status['429']).toBeLessThanOrEqual(Math.ceil(status['204']! / 3));
  }, 60_000);
});
