import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAnomalies } from '../src/security/anomaly-log.js';
import { quoteUserText } from '../src/security/auth-failures.js';
import { type Harness, startHarness } from './helpers/harness.js';

describe('unauthenticated flood (issue 15 item 16)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { PACTOWN_API_TOKENS: 'alice:alice-token-1', PACTOWN_AUTH_FAILURE_LINES: '10' } });
  });
  afterAll(async () => {
    await h.close();
  });

  it('text like user=bob in a request path never poses as a user= field (files and Loki)', async () => {
    const res = await fetch(`${h.url}/x%20user=bob%20service=api/user=bob`);
    expect(res.status).toBe(401);
    await h.app.context.anomalies.flush();
    await h.app.logging.flush();
    const anomalies = await readAnomalies(path.join(h.config.logDir, 'anomalies.jsonl'));
    const forged = anomalies.filter((a) => a.details.includes('bob'));
    expect(forged).toHaveLength(1);
    expect(forged[0]!.details).toContain('"/x user\\u003dbob service\\u003dapi/user\\u003dbob"');
    const sandboxLog = await fs.readFile(path.join(h.config.logDir, 'sandbox.log'), 'utf8');
    expect(sandboxLog).not.toMatch(/user=bob/);
    const lines = h.receiver!.query('{service="api"} |~ "user=bob"').result.flatMap((s) => s.values);
    expect(lines).toEqual([]);
    const logged = h.receiver!.query('{service="api"} |~ "UNAUTHORIZED_ACCESS"').result.flatMap((s) => s.values);
    expect(logged.length).toBeGreaterThan(0);
    for (const a of forged) expect(a.details).not.toMatch(/user=bob/);
  });

  it('500 more failed-auth requests fill the budget of 10 one by one and are summarised past it', async () => {
    const before = (await readAnomalies(path.join(h.config.logDir, 'anomalies.jsonl'))).length;
    for (let i = 0; i < 500; i += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, j) => fetch(`${h.url}/services?n=${i + j}`).then((r) => r.status)),
      );
      expect(new Set(answers)).toEqual(new Set([401]));
    }
    await h.app.context.anomalies.flush();
    const during = (await readAnomalies(path.join(h.config.logDir, 'anomalies.jsonl'))).slice(before);
    expect(during).toHaveLength(9); // the budget of 10, one spent on the request above
    expect(h.app.context.drops.get('auth_failure_rate')).toBe(491);
    const metrics = (await h.request('GET', '/metrics', undefined, 'alice-token-1')).text;
    expect(metrics).toMatch(/^pactown_runner_dropped_lines_total\{reason="auth_failure_rate"\} 491$/m);
    // The summary goes out when the window ends, or at once on flush (shutdown does it).
    h.app.context.authFailures.flush();
    await h.app.context.anomalies.flush();
    const after = (await readAnomalies(path.join(h.config.logDir, 'anomalies.jsonl'))).slice(before);
    expect(after).toHaveLength(10);
    expect(after.at(-1)).toMatchObject({ anomaly_type: 'UNAUTHORIZED_ACCESS', metadata: { suppressed: 491 } });
    expect(after.at(-1)!.details).toMatch(
      /^491 more failed-auth requests in 60s were not logged one by one \(from "127\.0\.0\.1" 491\)$/,
    );
    await h.app.logging.flush();
    const sandboxLog = await fs.readFile(path.join(h.config.logDir, 'sandbox.log'), 'utf8');
    expect(sandboxLog.match(/UNAUTHORIZED_ACCESS/g)?.length).toBe(11);
  });

  it('quoteUserText leaves no key=value in any text', () => {
    for (const text of ['user=bob', 'a b=c', '"x=1"', 'user\\=bob', `${'='.repeat(300)}`]) {
      const q = quoteUserText(text);
      expect(q).not.toMatch(/\w=/);
      expect(q).not.toContain('=');
      expect(JSON.parse(q.replaceAll('\\u003d', '='))).toBe(text.length > 200 ? `${text.slice(0, 200)}…` : text);
    }
  });
});
