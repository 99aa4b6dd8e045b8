import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY_SAMPLE } from '../src/demo/samples.js';
import { type Harness, nodeService, startHarness } from './helpers/harness.js';
import { SseClient } from './helpers/sse.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ loki: false });
});
afterAll(async () => {
  await h?.close();
});

describe('GET /services/:id/logs (Server-Sent Events)', () => {
  it('replays the history tail, then sends new lines live, with level, stream and time', async () => {
    const run = await h.request('POST', '/run', { service_id: 'live', content: HEALTHY_SAMPLE });
    expect(run.body.success).toBe(true);
    const client = new SseClient(`${h.url}/services/live/logs`);
    const ready = await client.waitFor((e) => e.event === 'ready', 'ready');
    expect(client.status).toBe(200);
    // History first: the run's lines arrive before `ready`, in order, numbered.
    const history = client.events.slice(0, client.events.indexOf(ready));
    expect(history.map((e) => e.data.message)).toEqual(expect.arrayContaining(run.body.logs));
    const ids = history.map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(ready.data).toMatchObject({ service_id: 'live', status: 'running', history: history.length });

    // A request to the service makes it log a new line, which arrives live.
    await fetch(`http://127.0.0.1:${run.body.port}/from-the-test`);
    const live = await client.waitFor(
      (e) => e.event === 'log' && e.data.message.includes('/from-the-test'),
      'live line',
    );
    expect(client.events.indexOf(live)).toBeGreaterThan(client.events.indexOf(ready));
    expect(live.data).toMatchObject({ service_id: 'live', level: 'INFO', stream: 'stdout' });
    expect(live.data.message).toBe('\u001b[32mGET\u001b[0m /from-the-test');
    expect(Date.parse(live.data.time)).toBeGreaterThan(0);

    // Stopping sends the stop messages and a status event.
    await h.request('POST', '/stop', { service_id: 'live' });
    await client.waitFor((e) => e.event === 'status' && e.data.status === 'stopped', 'stopped status');
    expect(client.logs()).toContain('Process terminated');
    client.close();
  });

  it('resumes after Last-Event-ID without repeating or losing lines', async () => {
    const run = await h.request('POST', '/run', {
      service_id: 'resume',
      content: nodeService({ lines: 50, prefix: 'row' }),
    });
    expect(run.body.success).toBe(true);
    const first = new SseClient(`${h.url}/services/resume/logs`);
    await first.waitFor((e) => e.event === 'ready', 'ready');
    first.close();
    const rows = first.events.filter((e) => e.event === 'log' && e.data.message.startsWith('row '));
    expect(rows.map((e) => e.data.message)).toEqual(Array.from({ length: 50 }, (_, i) => `row ${i}`));
    const cut = rows[24]!;
    const second = new SseClient(`${h.url}/services/resume/logs`, { 'last-event-id': cut.id! });
    await second.waitFor((e) => e.event === 'ready', 'ready');
    second.close();
    const resumed = second.events
      .filter((e) => e.event === 'log' && e.data.message.startsWith('row '))
      .map((e) => e.data.message);
    expect(resumed).toEqual(Array.from({ length: 25 }, (_, i) => `row ${i + 25}`));
  });

  it('filters by level: ?level=debug adds the sandbox DEBUG lines', async () => {
    const info = new SseClient(`${h.url}/services/resume/logs`);
    const debug = new SseClient(`${h.url}/services/resume/logs?level=debug`);
    await Promise.all([info.waitFor((e) => e.event === 'ready'), debug.waitFor((e) => e.event === 'ready')]);
    info.close();
    debug.close();
    expect(info.events.some((e) => e.data.level === 'DEBUG')).toBe(false);
    expect(debug.events.some((e) => e.data.level === 'DEBUG')).toBe(true);
    expect((await h.request('GET', '/services/resume/logs?level=loud')).status).toBe(400);
  });

  it('tells a client when its service dies, after the error file exists', async () => {
    const run = await h.request('POST', '/run', { service_id: 'dies', content: nodeService({ exitAfterMs: 300 }) });
    expect(run.body.success).toBe(true);
    const client = new SseClient(`${h.url}/services/dies/logs`);
    const exited = await client.waitFor((e) => e.event === 'status' && e.data.status === 'exited', 'exited status');
    expect(exited.data.message).toBe('Process exited with code: 3');
    expect(client.logs()).toContain('fatal: giving up');
    const info = await h.request('GET', '/services/dies');
    expect(info.body).toMatchObject({ status: 'exited', error_category: 'process_crash' });
    expect(info.body.error_log).toMatch(/service_dies_error\.log$/);
    const file = await h.request('GET', '/services/dies/error-log');
    expect(file.text).toContain('fatal: giving up');
    client.close();
  });
});
