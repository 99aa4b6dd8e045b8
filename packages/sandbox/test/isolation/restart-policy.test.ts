import { describe, expect, it } from 'vitest';
import {
  RestartTracker,
  gaveUpMessage,
  normalizeRestart,
  restartingMessage,
} from '../../src/process/isolation/restart-policy.js';

const crash = (startedAt: number, endedAt: number) => ({ startedAt, endedAt, failed: true, stoppedByUs: false });

describe('restart policy', () => {
  it('backs off 1 s doubling to 60 s and gives up after 5 restarts in 60 s', () => {
    const t = new RestartTracker(normalizeRestart('on-failure'));
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 5; i++) {
      const d = t.decide(crash(now, now + 100));
      expect(d.action).toBe('restart');
      if (d.action === 'restart') {
        delays.push(d.delayMs);
        expect(d.attempt).toBe(i + 1);
        now += 100 + d.delayMs;
      }
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000]);
    const last = t.decide(crash(now, now + 100));
    expect(last).toEqual({ action: 'give-up', failures: 5, windowMs: 60_000 });
    expect(gaveUpMessage('service_api', last as never)).toBe('Service service_api failed 5 times in 60s: giving up');
    expect(t.restarts).toBe(5);
  });

  it('caps the delay at backoffMaxMs and resets it after a run that stayed up', () => {
    const t = new RestartTracker(normalizeRestart({ restart: 'always', backoffMaxMs: 3000, startLimitBurst: 100 }));
    const seen = [0, 1, 2, 3].map((i) => t.decide(crash(i * 100_000, i * 100_000 + 10)));
    expect(seen.map((d) => (d.action === 'restart' ? d.delayMs : -1))).toEqual([1000, 2000, 3000, 3000]);
    const afterLongRun = t.decide(crash(500_000, 500_000 + 30_000));
    expect(afterLongRun).toMatchObject({ action: 'restart', delayMs: 1000 });
  });

  it('forgets restarts older than the start-limit window', () => {
    const t = new RestartTracker(
      normalizeRestart({ restart: 'always', startLimitBurst: 2, startLimitIntervalMs: 1000 }),
    );
    expect(t.decide(crash(0, 10)).action).toBe('restart');
    expect(t.decide(crash(20, 30)).action).toBe('restart');
    expect(t.decide(crash(40, 50)).action).toBe('give-up');
    expect(t.decide(crash(2000, 2010))).toMatchObject({ action: 'restart', attempt: 1 });
  });

  it("restarts a clean exit only with 'always', and never a stop we asked for", () => {
    const clean = { startedAt: 0, endedAt: 10, failed: false, stoppedByUs: false };
    expect(new RestartTracker(normalizeRestart('on-failure')).decide(clean)).toEqual({ action: 'none' });
    expect(new RestartTracker(normalizeRestart('always')).decide(clean).action).toBe('restart');
    expect(new RestartTracker(normalizeRestart('always')).decide({ ...clean, stoppedByUs: true })).toEqual({
      action: 'none',
    });
    expect(new RestartTracker(normalizeRestart(undefined)).decide(crash(0, 1))).toEqual({ action: 'none' });
  });

  it('formats the log line and validates the options', () => {
    expect(restartingMessage('service_api', { delayMs: 2000, attempt: 2, limit: 5 })).toBe(
      'Restarting service_api in 2s (attempt 2/5)',
    );
    expect(restartingMessage('service_api', { delayMs: 1500, attempt: 1, limit: 5 })).toBe(
      'Restarting service_api in 1.5s (attempt 1/5)',
    );
    expect(() => normalizeRestart('sometimes' as never)).toThrow(
      /restart must be 'no', 'on-failure' or 'always', got "sometimes"/,
    );
    expect(() => normalizeRestart({ restrat: 'always' } as never)).toThrow(/unknown option 'restart.restrat'/);
    expect(() => normalizeRestart({ startLimitBurst: 0 })).toThrow(/positive integer/);
    expect(() => normalizeRestart({ backoffInitialMs: 5000, backoffMaxMs: 1000 })).toThrow(/must be >=/);
  });
});
