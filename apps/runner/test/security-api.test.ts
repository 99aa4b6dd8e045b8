import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnomalies } from '../src/security/anomaly-log.js';
import { type Harness, nodeService, startHarness } from './helpers/harness.js';

const ALICE = 'alice-token-0001';
const BOB = 'bob-token-000002';
// Fails validation at once: the policy counts the request, no process starts.
const NOTHING = '# nothing to run';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: {
      PACTOWN_API_TOKENS: `alice:${ALICE},bob:${BOB}`,
      PACTOWN_RATE_BURST: '4',
      PACTOWN_MAX_SERVICES: '2',
      PACTOWN_LOG_LEVELS: 'pactown.security=DEBUG',
    },
  });
});
afterAll(async () => {
  await h?.close();
});

const anomalyFile = () => path.join(h.config.logDir, 'anomalies.jsonl');

describe('bearer tokens', () => {
  it('401 without a valid token, and the page and /health stay open', async () => {
    const missing = await h.request('GET', '/services');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expect((await h.request('GET', '/services', undefined, 'wrong-token-xyz')).status).toBe(401);
    expect((await h.request('POST', '/run', { service_id: 'x', content: NOTHING })).status).toBe(401);
    expect((await h.request('GET', '/health')).status).toBe(200);
    expect((await h.request('GET', '/')).status).toBe(200);
    await h.app.context.anomalies.flush();
    const anomalies = await readAnomalies(anomalyFile());
    expect(anomalies.filter((a) => a.anomaly_type === 'UNAUTHORIZED_ACCESS')).toHaveLength(3);
  });

  it('a user sees and stops only their own services', async () => {
    const run = await h.request('POST', '/run', { service_id: 'alice-svc', content: nodeService() }, ALICE);
    expect(run.body).toMatchObject({ success: true });
    expect((await h.request('GET', '/services', undefined, BOB)).body.services).toEqual([]);
    expect((await h.request('GET', '/services', undefined, ALICE)).body.services.map((s: any) => s.service_id)).toEqual(
      ['alice-svc'],
    );
    expect((await h.request('GET', '/services/alice-svc', undefined, BOB)).status).toBe(404);
    expect((await h.request('GET', '/services/alice-svc/logs', undefined, BOB)).status).toBe(404);
    expect((await h.request('POST', '/stop', { service_id: 'alice-svc' }, BOB)).status).toBe(404);
    expect((await h.request('GET', '/services/alice-svc', undefined, ALICE)).body.status).toBe('running');
    const taken = await h.request('POST', '/run', { service_id: 'alice-svc', content: NOTHING }, BOB);
    expect(taken.status).toBe(409);
    const spoof = await h.request('POST', '/run', { service_id: 'bob-svc', content: NOTHING, user_id: 'alice' }, BOB);
    expect(spoof.status).toBe(403);
    await h.app.context.anomalies.flush();
    const denied = (await readAnomalies(anomalyFile())).filter(
      (a) => a.anomaly_type === 'UNAUTHORIZED_ACCESS' && a.user_id === 'bob',
    );
    expect(denied.map((a) => a.service_id)).toEqual(['alice-svc', 'alice-svc', 'alice-svc']);
  });
});

describe('security policy through the API', () => {
  it('denies the third concurrent service with 429, category security and an anomaly line', async () => {
    // alice already runs alice-svc; the limit is 2.
    const second = await h.request('POST', '/run', { service_id: 'alice-two', content: nodeService() }, ALICE);
    expect(second.body.success).toBe(true);
    const third = await h.request('POST', '/run', { service_id: 'alice-three', content: nodeService() }, ALICE);
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({
      success: false,
      error_category: 'security',
      anomaly_type: 'CONCURRENT_LIMIT_EXCEEDED',
    });
    expect(third.body.message).toBe('Concurrent services limit reached: 2/2');
    // A restart of a running service is not a new one.
    const restart = await h.request('POST', '/run', { service_id: 'alice-two', content: nodeService() }, ALICE);
    expect(restart.body.success).toBe(true);
    await h.app.context.anomalies.flush();
    const last = (await readAnomalies(anomalyFile())).at(-1)!;
    expect(last).toMatchObject({
      anomaly_type: 'CONCURRENT_LIMIT_EXCEEDED',
      user_id: 'alice',
      service_id: 'alice-three',
      severity: 'WARNING',
    });
    expect(Date.parse(last.timestamp)).toBeGreaterThan(0);
  });

  it('denies past the burst with 429, Retry-After and a RATE_LIMIT_EXCEEDED anomaly', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++)
      answers.push(await h.request('POST', '/run', { service_id: `burst-${i}`, content: NOTHING }, BOB));
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    const denied = answers.find((a) => a.status === 429)!;
    expect(denied.body).toMatchObject({ error_category: 'security', anomaly_type: 'RATE_LIMIT_EXCEEDED' });
    expect(Number(denied.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await h.app.context.anomalies.flush();
    const anomalies = (await readAnomalies(anomalyFile())).filter((a) => a.anomaly_type === 'RATE_LIMIT_EXCEEDED');
    expect(anomalies.length).toBe(statuses.filter((s) => s === 429).length);
    expect(anomalies[0]).toMatchObject({ user_id: 'bob', severity: 'WARNING' });
  });

  it("logs the seed's security lines and the anomaly line with user= (file and Loki)", async () => {
    await h.app.logging.flush();
    const sandboxLog = await fs.readFile(path.join(h.config.logDir, 'sandbox.log'), 'utf8');
    expect(sandboxLog).toMatch(
      /\[INFO\] pactown\.security: Security check for alice starting service_alice-two\n.*\[DEBUG\] pactown\.security: Rate limit check: \d+\/60 requests used\n.*\[DEBUG\] pactown\.security: Concurrent services: 1\/2\n.*\[INFO\] pactown\.security: Security check passed/,
    );
    expect(sandboxLog).toMatch(
      /\[WARNING\] pactown\.security: CONCURRENT_LIMIT_EXCEEDED \| user=alice service=alice-three \| Concurrent services limit reached: 2\/2/,
    );
    const lines = h
      .receiver!.query('{service="api"} |~ "RATE_LIMIT|CONCURRENT"')
      .result.flatMap((s) => s.values.map((v) => v[1]));
    expect(lines.some((l) => l.includes('CONCURRENT_LIMIT_EXCEEDED | user=alice'))).toBe(true);
    expect(lines.some((l) => l.includes('RATE_LIMIT_EXCEEDED | user=bob'))).toBe(true);
    const userLog = await fs.readFile(path.join(h.config.logDir, 'user_bob.log'), 'utf8');
    expect(userLog).toContain('RATE_LIMIT_EXCEEDED | user=bob');
  });
});
