import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTHY_SAMPLE, MISSING_MODULE_SAMPLE } from '../src/demo/samples.js';
import { type Harness, startHarness } from './helpers/harness.js';

// The seed's two REST examples, verbatim.
const SEED_SUCCESS = {
  success: true,
  port: 8001,
  logs: [
    'Found 1 files, 2 dependencies',
    'Creating sandbox for service_123',
    'Process started with PID: 12345',
    'Waiting for server to start...',
    '✓ Server responding (status 200)',
    '✓ Project running on http://localhost:8001',
  ],
};
const SEED_ERROR = {
  success: false,
  error_category: 'dependency',
  logs: [
    'Found 1 files, 2 dependencies',
    'Creating sandbox for service_123',
    'Process started with PID: 12345',
    '❌ Process killed by SIGTERM (exit code: -15)',
    'STDERR:',
    "ModuleNotFoundError: No module named 'missing_module'",
  ],
  stderr_output: "ModuleNotFoundError: No module named 'missing_module'",
};

/**
 * A seed log line as a pattern: numbers, the service id and the exit reason
 * vary by run (the seed's dependency counts come from its FastAPI example).
 */
function seedPattern(line: string, serviceId: string): RegExp {
  if (line.startsWith('❌ Process killed'))
    return /^❌ Process (killed by SIG[A-Z]+ \(exit code: -\d+\)|exited with code: \d+)$/;
  const escaped = line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('service_123', `service_${serviceId}`);
  return new RegExp(`^${escaped.replace(/\d+/g, '\\d+')}$`);
}

/** Every seed line matches a line of `logs`, in the seed's order. */
function expectSeedLogsInOrder(logs: string[], seed: string[], serviceId: string): void {
  let at = 0;
  for (const line of seed) {
    const pattern = seedPattern(line, serviceId);
    const found = logs.findIndex((l, i) => i >= at && l.split('\n').some((part) => pattern.test(part)));
    expect(
      found,
      `seed line ${JSON.stringify(line)} after index ${at} in ${JSON.stringify(logs, null, 1)}`,
    ).toBeGreaterThanOrEqual(at);
    at = found + 1;
  }
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('POST /run against the seed examples', () => {
  it('answers the success shape field by field', async () => {
    const { status, body } = await h.request('POST', '/run', {
      service_id: 'hello',
      content: HEALTHY_SAMPLE,
      user_id: 'user123',
    });
    expect(status).toBe(200);
    expect(Object.keys(SEED_SUCCESS).every((k) => k in body)).toBe(true);
    expect(body.success).toBe(SEED_SUCCESS.success);
    expect(typeof body.port).toBe(typeof SEED_SUCCESS.port);
    expect(body.port).toBeGreaterThan(0);
    expect(body.logs.every((l: unknown) => typeof l === 'string')).toBe(true);
    expectSeedLogsInOrder(body.logs, SEED_SUCCESS.logs, 'hello');
    expect(body.logs.at(-1)).toBe(`✓ Project running on http://localhost:${body.port}`);
    expect(body.logs).toContain(`Process started with PID: ${body.pid}`);
    expect(body).toMatchObject({ service_id: 'hello', message: `Project running on http://localhost:${body.port}` });
    // The service really answers on the port it was given.
    expect(await (await fetch(`http://127.0.0.1:${body.port}/`)).text()).toContain('"ok":true');
  });

  it('answers the error shape field by field and writes the error file', async () => {
    const { status, body } = await h.request('POST', '/run', {
      service_id: 'missing_module',
      content: MISSING_MODULE_SAMPLE,
      user_id: 'user123',
    });
    expect(status).toBe(200);
    expect(Object.keys(SEED_ERROR).every((k) => k in body)).toBe(true);
    expect(body.success).toBe(false);
    expect(body.error_category).toBe(SEED_ERROR.error_category);
    expectSeedLogsInOrder(body.logs, SEED_ERROR.logs, 'missing_module');
    // The seed shows only the last line; the full traceback ends with it.
    expect(body.stderr_output.trim().split('\n').at(-1)).toBe(SEED_ERROR.stderr_output);
    expect(body.suggestions[0]).toMatchObject({ action: 'add_dependency', auto_fixable: true });
    expect(body.error_log).toBe(path.join(h.config.logDir, 'service_missing_module_error.log'));
    const file = await fs.readFile(body.error_log, 'utf8');
    expect(
      file
        .split('\n')
        .slice(0, 4)
        .map((l) => l.split(':')[0]),
    ).toEqual(['Exit code', 'Command', 'CWD', 'Venv']);
    expect(file).toContain("ModuleNotFoundError: No module named 'missing_module'");
  });

  it('serves the error file as text, JSON and Markdown', async () => {
    const text = await h.request('GET', '/services/missing_module/error-log');
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text.text).toMatch(/^Exit code: 1\nCommand: python3 main\.py\n/);
    const json = await h.request('GET', '/services/missing_module/error-log?format=json');
    expect(json.body).toMatchObject({ serviceId: 'missing_module', category: 'dependency', exit: { code: 1 } });
    const md = await h.request('GET', '/services/missing_module/error-report');
    expect(md.headers.get('content-type')).toMatch(/^text\/markdown/);
    expect(md.text).toContain('missing_module');
    expect(md.text).toMatch(/^#/m);
    expect((await h.request('GET', '/services/hello/error-log')).status).toBe(404);
  });
});

describe('request validation and lookups', () => {
  it.each([
    [{ content: '# x' }, 'service_id'],
    [{ service_id: '../../etc', content: '# x' }, 'service_id'],
    [{ service_id: 'x' }, 'content'],
    [{ service_id: 'x', content: '# x', port: 'abc' }, 'port'],
    [{ service_id: 'x', content: '# x', env: { 'A-B': '1' } }, 'env.A-B'],
  ])('400 for %j names %s', async (body, field) => {
    const res = await h.request('POST', '/run', body);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.message).toContain(field);
  });

  it('400 for a body that is not JSON, 404 for an unknown service', async () => {
    const res = await fetch(`${h.url}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"service_id":',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(/body/i);
    expect((await h.request('GET', '/services/nope')).status).toBe(404);
    expect((await h.request('POST', '/stop', { service_id: 'nope' })).status).toBe(404);
    expect((await h.request('GET', '/services/nope/logs')).status).toBe(404);
  });
});

describe('NDJSON stream, services, stop', () => {
  it('streams log lines as they happen, then one result', async () => {
    const res = await fetch(`${h.url}/run/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service_id: 'streamed', content: HEALTHY_SAMPLE }),
    });
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const items = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const logs = items.filter((i) => i.type === 'log');
    expect(items.at(-1).type).toBe('result');
    expect(items.filter((i) => i.type === 'result')).toHaveLength(1);
    expect(items.at(-1).result).toMatchObject({ success: true, service_id: 'streamed' });
    expect(logs.map((l) => l.message)).toEqual(items.at(-1).result.logs);
    expect(logs.find((l) => l.message === 'stderr works too')).toMatchObject({ stream: 'stderr', level: 'INFO' });
    expect(logs[0]).toMatchObject({ type: 'log', level: 'INFO', stream: 'system', service_id: 'streamed' });
    expect(Date.parse(logs[0].time)).not.toBeNaN();
  });

  it('lists, shows and stops services', async () => {
    const list = await h.request('GET', '/services');
    const ids = list.body.services.map((s: { service_id: string }) => s.service_id);
    expect(ids).toEqual(expect.arrayContaining(['hello', 'missing_module', 'streamed']));
    const one = await h.request('GET', '/services/streamed');
    expect(one.body).toMatchObject({ service_id: 'streamed', status: 'running', user_id: 'anonymous' });
    const stopped = await h.request('POST', '/stop', { service_id: 'streamed' });
    expect(stopped.body).toMatchObject({ success: true, service_id: 'streamed' });
    expect((await h.request('GET', '/services/streamed')).body.status).toBe('stopped');
    await expect(fetch(`http://127.0.0.1:${one.body.port}/`)).rejects.toThrow();
  });
});

describe('logs on disk, metrics, health', () => {
  it('writes sandbox.log and the per-user file', async () => {
    const sandboxLog = await fs.readFile(path.join(h.config.logDir, 'sandbox.log'), 'utf8');
    expect(sandboxLog).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[INFO\] pactown\.sandbox: .*Creating sandbox for service_hello$/m,
    );
    expect(sandboxLog).toMatch(/\[DEBUG\] pactown\.sandbox: .*Run command: node server\.mjs/);
    expect(sandboxLog).toMatch(/\[INFO\] pactown\.security: Security check for user123 starting service_hello/);
    const userLog = await fs.readFile(path.join(h.config.logDir, 'user_user123.log'), 'utf8');
    expect(userLog).toContain('Security check for user123 starting service_hello');
    expect(userLog).toContain("ModuleNotFoundError: No module named 'missing_module'");
    expect(userLog).not.toContain('streamed');
  });

  it('exposes runner gauges and the Loki counters', async () => {
    await h.app.logging.flush();
    const res = await h.request('GET', '/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^pactown_runner_services\{status="running"\} 1$/m);
    expect(res.text).toMatch(/^pactown_runner_runs_total\{result="failure"\} 1$/m);
    const sent = Number(/^pactown_loki_sent_lines_total (\d+)$/m.exec(res.text)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBe(h.receiver!.entryCount);
    // prom-client's process and Node metrics, and the Loki histogram, beside the app's own.
    expect(res.text).toMatch(/^process_cpu_seconds_total [\d.e+]+$/m);
    expect(res.text).toMatch(/^process_resident_memory_bytes \d+$/m);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds [\d.e+-]+$/m);
    expect(res.text).toMatch(/^pactown_loki_request_duration_seconds_bucket\{le="\+Inf"\} \d+$/m);
    expect(res.text).toMatch(/^pactown_loki_dropped_lines_total\{reason="[a-z_.]+"\} 0$/m);
    // Families are separated by blank lines in the exposition format.
    for (const line of res.text
      .trim()
      .split('\n')
      .filter((l) => l !== ''))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+]+)$/);
  });

  it('answers /health', async () => {
    const health = (await h.request('GET', '/health')).body;
    expect(health).toMatchObject({ status: 'ok', loki: 'on', dropped: { answer_bound: 0, sse_slow_client: 0 } });
    // Each handler with log-core's health state, the files and Loki among them.
    expect(health.handlers.map((x: { state: string }) => x.state)).toEqual(health.handlers.map(() => 'ok'));
    expect(health.handlers.some((x: { name: string }) => x.name.startsWith('user-logs:'))).toBe(true);
    const metrics = (await h.request('GET', '/metrics')).text;
    expect(metrics).toMatch(/^pactown_runner_log_handler_degraded\{handler="user-logs:[^"]+"\} 0$/m);
  });
});
