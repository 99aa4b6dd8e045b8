import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardQueries, substituteVariables } from '../src/demo/queries.js';
import { HEALTHY_SAMPLE, MISSING_MODULE_SAMPLE } from '../src/demo/samples.js';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
let queries: Map<string, string>;

/** Lines a dashboard panel shows for the scripted run, at its default variables. */
function panel(title: string): string[] {
  const expr = substituteVariables(queries.get(title)!);
  return h.receiver!.query(expr).result.flatMap((s) => s.values.map((v) => v[1]));
}

beforeAll(async () => {
  // A refill of one per minute: under load the runs take seconds, and a faster refill would hide the burst.
  h = await startHarness({ env: { PACTOWN_RATE_BURST: '3', PACTOWN_RATE_LIMIT: '1' } });
  queries = new Map((await dashboardQueries()).map((q) => [q.title, q.expr]));
  // The scripted run: two users, a healthy and a failing service, then a burst past the rate limit.
  expect(
    (await h.request('POST', '/run', { service_id: 'hello', content: HEALTHY_SAMPLE, user_id: 'user123' })).body
      .success,
  ).toBe(true);
  expect(
    (
      await h.request('POST', '/run', {
        service_id: 'missing_module',
        content: MISSING_MODULE_SAMPLE,
        user_id: 'user123',
      })
    ).body.success,
  ).toBe(false);
  expect(
    (await h.request('POST', '/run', { service_id: 'other', content: HEALTHY_SAMPLE, user_id: 'user456' })).body
      .success,
  ).toBe(true);
  let denied = 0;
  for (let i = 0; i < 3 && denied === 0; i++) {
    if (
      (await h.request('POST', '/run', { service_id: `b${i}`, content: '# none', user_id: 'user456' })).status === 429
    )
      denied++;
  }
  expect(denied).toBe(1);
  await h.app.logging.flush();
});
afterAll(async () => {
  await h?.close();
});

describe('dashboard panels against the Loki-compatible receiver', () => {
  it('All errors: the crash, its traceback and the failed run', () => {
    const lines = panel('All errors');
    expect(lines.some((l) => l.includes("ModuleNotFoundError: No module named 'missing_module'"))).toBe(true);
    expect(lines.some((l) => l.includes('Run failed | user=user123 service=missing_module category=dependency'))).toBe(
      true,
    );
    expect(lines.some((l) => l.includes('✓ Project running'))).toBe(false);
  });

  it('Sandbox start-up: sandbox creation, process start and the security check', () => {
    const lines = panel('Sandbox start-up');
    expect(lines.some((l) => l.includes('Creating sandbox for service_hello'))).toBe(true);
    expect(lines.some((l) => /Process started with PID: \d+/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('Security check for user123 starting service_hello'))).toBe(true);
  });

  it('One user: everything about user123 and nothing about user456', () => {
    const lines = panel('One user ($user)');
    expect(lines.some((l) => l.includes('Security check for user123 starting service_missing_module'))).toBe(true);
    expect(lines.some((l) => l.includes('Run succeeded | user=user123 service=hello'))).toBe(true);
    expect(lines.filter((l) => l.includes('user456'))).toEqual([]);
    expect(
      h.receiver!.query(substituteVariables(queries.get('One user ($user)')!, { user: 'user456' })).result.length,
    ).toBeGreaterThan(0);
  });

  it('Rate limiting: exactly the denial, matched where the original lowercase types never were', () => {
    const lines = panel('Rate limiting and concurrency denials');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('RATE_LIMIT_EXCEEDED | user=user456');
    expect(lines[0]).toMatch(/^level=warning logger=pactown\.security /);
  });
});
