import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { callbackHandler, getLogger, type LogRecord } from '@pactown/log-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, freePort, tempDir } from '@pactown/test-helpers';
import type { DiedReport, ServiceLogRecord } from '../../src/process/types.js';
import { ServiceRunner } from '../../src/runner/service-runner.js';
import { fixture, httpGet, inOrder, occupyPort } from './helpers.js';

let root: string;
let rootDir: TempDir;
let runner: ServiceRunner;
// Every record of every service, as the 'log' event gives them.
const logged: ServiceLogRecord[] = [];
beforeAll(async () => {
  rootDir = await tempDir('pactown-runner-node-');
  root = rootDir.path;
  runner = new ServiceRunner({ sandboxesDir: root, killGraceMs: 2000 });
  runner.on('log', (_id, record) => logged.push(record));
});
afterAll(async () => {
  await runner.close();
  await rootDir.remove();
});

describe('ServiceRunner with Node services', () => {
  it('runs a Node server without dependencies and reports the seed messages in order', async () => {
    const port = await freePort();
    const seen: string[] = [];
    const records: ServiceLogRecord[] = [];
    const result = await runner.runFromContent({
      serviceId: 'hello',
      content: await fixture('node-server.md'),
      port,
      onLog: (record) => {
        seen.push(record.message);
        records.push(record);
      },
    });
    expect(result.success).toBe(true);
    expect(result.errorCategory).toBe('none');
    expect(result.pid).toBeGreaterThan(0);
    expect(result.sandboxPath).toBe(join(root, 'service_hello'));
    expect((await httpGet(port, '/')).body).toBe(`hello from ${port}`);
    inOrder(result.logs, [
      'Found 1 files, 0 dependencies',
      'Creating sandbox for service_hello',
      `Process started with PID: ${result.pid}`,
      'Waiting for server to start...',
      /^✓ Server responding \(status 200\)$/,
      `✓ Project running on http://localhost:${port}`,
    ]);
    // onLog saw the same text, plus DEBUG lines that stay out of `logs`.
    expect(seen.filter((m) => result.logs.includes(m))).toEqual(result.logs);
    expect(records.some((r) => r.levelName === 'DEBUG')).toBe(true);
    expect(result.logs.some((m) => m.startsWith('Sandbox files:'))).toBe(false);
    expect(records.find((r) => r.stream === 'stdout')?.message).toBe(`listening on ${port}`);
    expect(records.every((r) => r.serviceId === 'hello' && typeof r.time === 'number')).toBe(true);
    expect(runner.get('hello')?.pid).toBe(result.pid);
    expect(runner.list().map((s) => s.serviceId)).toContain('hello');
    expect(logged.some((r) => r.serviceId === 'hello' && r.message === `listening on ${port}`)).toBe(true);

    const stopped = await runner.stop('hello');
    expect(stopped.success).toBe(true);
    expect(stopped.report?.category).toBe('none');
    expect(runner.get('hello')).toBeUndefined();
    expect(await readdir(root)).not.toContain('service_hello');
    expect((await runner.stop('hello')).success).toBe(false);
  });

  it('installs an npm dependency for real, then a second service reuses the cache', async () => {
    const content = await fixture('node-ms.md');
    const firstLogs: string[] = [];
    const t0 = performance.now();
    const first = await runner.runFromContent({
      serviceId: 'ms-1',
      content,
      port: await freePort(),
      onLog: ({ message }) => firstLogs.push(message),
      timeoutMs: 30_000,
    });
    const firstMs = performance.now() - t0;
    expect(first.success, first.message).toBe(true);
    expect(firstLogs).toContain('Found 1 files, 1 dependencies');
    expect(firstLogs.some((m) => /^Cache miss: node_[0-9a-f]{16}$/.test(m))).toBe(true);
    expect((await httpGet(first.port)).body).toBe('two hours is 7200000 ms');

    const fastStart = getLogger('pactown.fast_start');
    const coreRecords: LogRecord[] = [];
    const handler = callbackHandler((_text, record) => coreRecords.push(record));
    fastStart.setLevel('DEBUG');
    fastStart.addHandler(handler);
    const records: ServiceLogRecord[] = [];
    const t1 = performance.now();
    const second = await runner.runFromContent({
      serviceId: 'ms-2',
      content,
      port: await freePort(),
      onLog: (r) => records.push(r),
      timeoutMs: 30_000,
    });
    const secondMs = performance.now() - t1;
    expect(second.success, second.message).toBe(true);
    const cacheLines = records
      .filter((r) => r.logger === 'pactown.fast_start')
      .map((r) => `${r.levelName} ${r.message}`);
    expect(cacheLines[0]).toBe("DEBUG Checking cache for deps: ['ms@2.1.3']");
    expect(cacheLines[1]).toMatch(/^DEBUG Cache hit: node_[0-9a-f]{16}$/);
    expect(cacheLines[2]).toMatch(/^INFO Using cached node_modules \(\d+ms\)$/);
    expect(second.logs.some((m) => m.startsWith('Using cached node_modules'))).toBe(true);
    expect(secondMs).toBeLessThan(firstMs);
    // The same lines reached log-core's pactown.fast_start logger, bound to the service.
    fastStart.removeHandler(handler);
    const core = coreRecords.map((r) => `${r.name} ${r.levelName} ${r.message} ${String(r.fields.service)}`);
    expect(core).toContainEqual(expect.stringMatching(/^pactown\.fast_start DEBUG Cache hit: node_[0-9a-f]{16} ms-2$/));
    expect(core).toContainEqual(
      expect.stringMatching(/^pactown\.fast_start INFO Using cached node_modules \(\d+ms\) ms-2$/),
    );
    // A service that lists the same dependency only in its own package.json reuses the same entry.
    const server = content.split('path=server.js\n')[1]!.split('```')[0]!;
    const own = await runner.runFromContent({
      serviceId: 'ms-3',
      content: { files: { 'package.json': '{"private":true,"dependencies":{"ms":"2.1.3"}}\n', 'server.js': server } },
      port: await freePort(),
    });
    expect(own.success, own.message).toBe(true);
    expect(own.logs).toContain('Dependencies detected: count=1');
    expect(own.logs.some((m) => m.startsWith('Using cached node_modules'))).toBe(true);
    await Promise.all([runner.stop('ms-1'), runner.stop('ms-2'), runner.stop('ms-3')]);
  });

  it('reports a port conflict', async () => {
    const { port, server } = await occupyPort();
    try {
      const result = await runner.runFromContent({
        serviceId: 'taken',
        content: await fixture('node-port-taken.md'),
        port,
      });
      expect(result.success).toBe(false);
      expect(result.errorCategory).toBe('port_conflict');
      expect(result.stderrOutput).toMatch(/EADDRINUSE/);
      expect(result.suggestions.length).toBeGreaterThan(0);
      expect(result.diedReport?.serviceId).toBe('taken');
    } finally {
      server.close();
    }
  });

  it('reports a syntax error', async () => {
    const result = await runner.runFromContent({
      serviceId: 'syntax',
      content: await fixture('node-syntax-error.md'),
      port: await freePort(),
    });
    expect(result.success).toBe(false);
    expect(result.errorCategory).toBe('syntax');
    expect(result.stderrOutput).toMatch(/SyntaxError/);
    inOrder(result.logs, [
      /^❌ Process exited with code: 1$/,
      'STDERR:',
      /SyntaxError/,
      '❌ Server failed to start - check dependencies and code',
    ]);
  });

  it('times out a server that never answers, and stops it', async () => {
    const result = await runner.runFromContent({
      serviceId: 'slow',
      content: await fixture('node-never-ready.md'),
      port: await freePort(),
      timeoutMs: 1500,
    });
    expect(result.success).toBe(false);
    expect(result.errorCategory).toBe('startup_timeout');
    expect(result.logs.some((m) => m.startsWith('⏱️ Health check timed out after 1.5s'))).toBe(true);
    expect(result.diedReport?.pid).toBe(result.pid);
    expect(runner.get('slow')).toBeUndefined();
  });

  it("emits 'died' for a service that dies after it became healthy", async () => {
    const died = new Promise<DiedReport>((resolve) => runner.once('died', resolve));
    const result = await runner.runFromContent({
      serviceId: 'flaky',
      content: await fixture('node-dies-later.md'),
      port: await freePort(),
    });
    expect(result.success).toBe(true);
    const report = await died;
    expect(report.serviceId).toBe('flaky');
    expect(report.pid).toBe(result.pid);
    expect(report.exit.exitCode).toBe(3);
    expect(report.category).toBe('process_crash');
    expect(report.stderrTail).toMatch(/lost the database connection/);
    expect(runner.get('flaky')).toBeUndefined();
    expect(logged.some((r) => r.serviceId === 'flaky' && r.message.includes('died after it had started'))).toBe(true);
  });
});
