import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, nodeService, startHarness, waitFor } from './helpers/harness.js';
import { SseClient } from './helpers/sse.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ loki: false, env: { PACTOWN_ISOLATION: 'none' } });
});
afterAll(async () => {
  await h?.close();
});

describe('restart policy through the app (issue 13 item 6)', () => {
  it('POST /run checks restart with the schema and names the field', async () => {
    for (const restart of ['sometimes', 3, true]) {
      const res = await h.request('POST', '/run', { service_id: 'bad-restart', content: nodeService(), restart });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_request', field: 'restart' });
      expect(res.body.message).toBe("restart must be 'no', 'on-failure' or 'always'");
    }
  });

  it('a run without restart takes the default, shown with 0 restarts', async () => {
    const run = await h.request('POST', '/run', { service_id: 'steady', content: nodeService() });
    expect(run.body.success).toBe(true);
    const info = await h.request('GET', '/services/steady');
    expect(info.body).toMatchObject({ status: 'running', restart: 'no', restarts: 0 });
    await h.request('POST', '/stop', { service_id: 'steady' });
  });

  it('on-failure: each death writes its error file, the service comes back, GET /services counts the restarts', async () => {
    const run = await h.request('POST', '/run', {
      service_id: 'phoenix',
      content: nodeService({ exitAfterMs: 300 }),
      restart: 'on-failure',
    });
    expect(run.body.success).toBe(true);
    const firstPid = run.body.pid;
    const stream = new SseClient(`${h.url}/services/phoenix/logs`);
    await stream.waitFor((e) => e.event === 'ready', 'ready');

    // The first death, then a restart after the backoff (about 1 s), and the service is running again.
    await stream.waitFor((e) => e.event === 'status' && e.data.status === 'restarting', 'restarting status');
    const restarting = stream.events.find((e) => e.event === 'status' && e.data.status === 'restarting')!;
    expect(restarting.data.message).toMatch(/^Restarting service_phoenix in \d+(\.\d+)?m?s \(attempt 1\/5\)$/);
    const during = (await h.request('GET', '/services')).body.services.find(
      (s: { service_id: string }) => s.service_id === 'phoenix',
    );
    expect(during).toMatchObject({ restart: 'on-failure', restarts: 1 });
    expect(['restarting', 'running']).toContain(during.status);
    await stream.waitFor(
      (e) =>
        e.event === 'status' &&
        e.data.status === 'running' &&
        stream.events.indexOf(e) > stream.events.indexOf(restarting),
      'running again',
    );
    const again = await h.request('GET', '/services/phoenix');
    expect(again.body.status === 'running' || again.body.status === 'restarting').toBe(true);
    expect(again.body.pid === null || again.body.pid !== firstPid).toBe(true);

    // A second death and restart: the count goes on, and each death has its error file (kept as history).
    await waitFor(
      async () => (await h.request('GET', '/services/phoenix')).body.restarts >= 2,
      'a second restart',
      30_000,
    );
    const logDir = path.join(h.home, 'logs');
    const files = (await fs.readdir(logDir)).filter((f) => f.startsWith('service_phoenix_error.log'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const text = await h.request('GET', '/services/phoenix/error-log');
    expect(text.text).toContain('fatal: giving up');
    const metrics = (await h.request('GET', '/metrics')).text;
    expect(Number(/^pactown_runner_service_restarts_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);

    // Stop wins over a waiting restart: the service stays down.
    const stopped = await h.request('POST', '/stop', { service_id: 'phoenix' });
    expect(stopped.body.success).toBe(true);
    const after = await h.request('GET', '/services/phoenix');
    expect(after.body.status).toBe('stopped');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await h.request('GET', '/services/phoenix')).body.status).toBe('stopped');
    stream.close();
  }, 60_000);

  it('no: a death is final, as before (status exited, no restart)', async () => {
    const run = await h.request('POST', '/run', {
      service_id: 'once',
      content: nodeService({ exitAfterMs: 200 }),
      restart: 'no',
    });
    expect(run.body.success).toBe(true);
    await waitFor(async () => (await h.request('GET', '/services/once')).body.status === 'exited', 'exited');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await h.request('GET', '/services/once')).body).toMatchObject({ status: 'exited', restarts: 0 });
  });
});
