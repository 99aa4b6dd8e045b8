import fs from 'node:fs/promises';
import path from 'node:path';
import { type TempDir, tempDir } from '@pactown/test-helpers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AnomalyLog, readAnomalies } from '../src/security/anomaly-log.js';
import { type PolicyLogger, SecurityPolicy } from '../src/security/policy.js';
import { TokenBucketLimiter } from '../src/security/token-bucket.js';

function recorder(): PolicyLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string) => lines.push(`[${level}] ${message}`);
  return {
    lines,
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARNING'),
    error: at('ERROR'),
    fatal: at('CRITICAL'),
  };
}

let temp: TempDir;
let dir: string;
beforeEach(async () => {
  temp = await tempDir('runner-security-');
  dir = temp.path;
});
afterEach(async () => {
  await temp.remove();
});

describe('TokenBucketLimiter', () => {
  it('allows the burst, then refills at the per-minute rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 10, now: () => now });
    for (let i = 0; i < 10; i++) expect(limiter.take('u').allowed).toBe(true);
    const denied = limiter.take('u');
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBe(1000);
    now += 1000;
    expect(limiter.take('u').allowed).toBe(true);
    expect(limiter.take('u').allowed).toBe(false);
    expect(limiter.take('other').allowed).toBe(true);
  });

  it('counts the requests of the last minute', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 10, now: () => now });
    for (let i = 0; i < 5; i++) limiter.take('u');
    expect(limiter.take('u').usedLastMinute).toBe(6);
    now += 61_000;
    expect(limiter.take('u').usedLastMinute).toBe(1);
  });
});

describe('SecurityPolicy', () => {
  it("logs the seed's lines for an allowed start", () => {
    const logger = recorder();
    const policy = new SecurityPolicy({ logger, anomalies: new AnomalyLog({ filename: path.join(dir, 'a.jsonl') }) });
    for (let i = 0; i < 4; i++) policy.checkStart({ userId: 'user123', serviceId: 'warmup', running: 0 });
    logger.lines.length = 0;
    expect(policy.checkStart({ userId: 'user123', serviceId: '456', running: 2 })).toEqual({ allowed: true });
    expect(logger.lines).toEqual([
      '[INFO] Security check for user123 starting service_456',
      '[DEBUG] Rate limit check: 5/60 requests used',
      '[DEBUG] Concurrent services: 2/5',
      '[INFO] Security check passed',
    ]);
  });

  it('denies past the burst and writes a RATE_LIMIT_EXCEEDED anomaly', async () => {
    const logger = recorder();
    const filename = path.join(dir, 'logs', 'anomalies.jsonl');
    const anomalies = new AnomalyLog({ filename });
    const policy = new SecurityPolicy({
      logger,
      anomalies,
      rateLimitBurst: 2,
      now: () => Date.parse('2026-01-01T00:00:00Z'),
    });
    policy.checkStart({ userId: 'user123', serviceId: 'svc', running: 0 });
    policy.checkStart({ userId: 'user123', serviceId: 'svc', running: 0 });
    const denied = policy.checkStart({ userId: 'user123', serviceId: 'svc', running: 0 });
    expect(denied.allowed).toBe(false);
    if (denied.allowed) return;
    expect(denied.status).toBe(429);
    expect(denied.retryAfterSeconds).toBe(1);
    expect(logger.lines.at(-1)).toMatch(
      /^\[WARNING\] RATE_LIMIT_EXCEEDED \| user=user123 service=svc \| Rate limit exceeded/,
    );
    await anomalies.flush();
    const [line] = await readAnomalies(filename);
    expect(Object.keys(line!).sort()).toEqual(
      ['anomaly_type', 'details', 'metadata', 'service_id', 'severity', 'timestamp', 'user_id'].sort(),
    );
    expect(line).toMatchObject({
      timestamp: '2026-01-01T00:00:00.000Z',
      anomaly_type: 'RATE_LIMIT_EXCEEDED',
      user_id: 'user123',
      service_id: 'svc',
      severity: 'WARNING',
    });
    expect((await fs.stat(filename)).mode & 0o777).toBe(0o600);
  });

  it('denies a sixth concurrent service with CONCURRENT_LIMIT_EXCEEDED', async () => {
    const logger = recorder();
    const filename = path.join(dir, 'anomalies.jsonl');
    const anomalies = new AnomalyLog({ filename });
    const policy = new SecurityPolicy({ logger, anomalies });
    const denied = policy.checkStart({ userId: 'alice', serviceId: 'six', running: 5 });
    expect(denied).toMatchObject({ allowed: false, status: 429 });
    expect(logger.lines).toContain('[DEBUG] Concurrent services: 5/5');
    expect(logger.lines.at(-1)).toBe(
      '[WARNING] CONCURRENT_LIMIT_EXCEEDED | user=alice service=six | Concurrent services limit reached: 5/5',
    );
    await anomalies.flush();
    expect((await readAnomalies(filename)).map((a) => a.anomaly_type)).toEqual(['CONCURRENT_LIMIT_EXCEEDED']);
  });
});

describe('AnomalyLog', () => {
  it('keeps concurrent appends whole and in order, rotating by size', async () => {
    const filename = path.join(dir, 'anomalies.jsonl');
    const log = new AnomalyLog({ filename, maxBytes: 2000, backupCount: 2 });
    for (let i = 0; i < 40; i++) {
      log.append({
        timestamp: new Date(0).toISOString(),
        anomaly_type: 'RAPID_RESTART',
        user_id: 'u',
        service_id: `s${i}`,
        details: 'x'.repeat(40),
        severity: 'INFO',
      });
    }
    await log.flush();
    const current = await readAnomalies(filename);
    const older = await readAnomalies(`${filename}.1`);
    expect(current.length).toBeGreaterThan(0);
    expect(older.length).toBeGreaterThan(0);
    const ids = [...older, ...current].map((a) => Number(a.service_id.slice(1)));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ids.at(-1)).toBe(39);
    expect((await fs.stat(filename)).size).toBeLessThanOrEqual(2000);
    await expect(fs.access(`${filename}.3`)).rejects.toThrow();
  });
});
