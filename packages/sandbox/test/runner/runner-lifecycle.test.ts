import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type TempDir, freePort, pidAlive, tempDir } from '@pactown/test-helpers';
import type { SandboxLogger, ServiceLogRecord } from '../../src/process/types.js';
import { ServiceRunner, type ServiceRunnerEvents } from '../../src/runner/service-runner.js';
import type { RunResult } from '../../src/runner/types.js';
import { fixture } from './helpers.js';

/** A pino-like logger that remembers every call with its bindings. */
function recordingLogger(
  bindings: Record<string, unknown> = {},
  calls: Array<{ level: string; msg: string; bindings: Record<string, unknown>; obj?: object }> = [],
): SandboxLogger & { calls: typeof calls } {
  const method = (level: string) => (a: unknown, b?: unknown) => {
    if (typeof a === 'string') calls.push({ level, msg: a, bindings });
    else calls.push({ level, msg: String(b ?? ''), bindings, obj: a as object });
  };
  return {
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
    child: (more) => recordingLogger({ ...bindings, ...more }, calls),
    calls,
  };
}

let root: string;
let rootDir: TempDir;
let server: string;
beforeAll(async () => {
  rootDir = await tempDir('pactown-runner-life-');
  root = rootDir.path;
  server = await fixture('node-server.md');
});
afterAll(async () => {
  await rootDir.remove();
});

describe('ServiceRunner lifecycle and callbacks', () => {
  it('refuses unsafe service ids with a TypeError and writes nothing', async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'unsafe') });
    for (const serviceId of ['../x', 'x/../../', '.hidden', 'a/b', '', 'x'.repeat(65)]) {
      await expect(runner.runFromContent({ serviceId, content: server, port: 8001 })).rejects.toThrow(TypeError);
    }
    await expect(runner.stop('../x')).rejects.toThrow(TypeError);
    await expect(readdir(join(root, 'unsafe'))).rejects.toThrow(/ENOENT/);
  });

  it('reports every unsafe path as one validation failure, before anything is written', async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'paths') });
    const content = { files: { '../escape.js': 'x', '/etc/evil': 'x', 'node_modules/x.js': 'x', 'server.js': 'x' } };
    const result = await runner.runFromContent({ serviceId: 'paths', content, port: 8001 });
    expect(result.success).toBe(false);
    expect(result.errorCategory).toBe('validation');
    expect(result.sandboxPath).toBeNull();
    expect(result.logs.filter((m) => m.startsWith('❌'))).toHaveLength(3);
    expect(result.suggestions).toHaveLength(3);
    await expect(readdir(join(root, 'paths'))).rejects.toThrow(/ENOENT/);
  });

  it('calls onLog with one argument, the record; a throwing one never breaks the run', async () => {
    const logger = recordingLogger();
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'cb'), logger, logsLevel: 'DEBUG' });
    const argCounts: number[] = [];
    const one = await runner.runFromContent({
      serviceId: 'one',
      content: server,
      port: await freePort(),
      onLog: function (this: unknown, _record: ServiceLogRecord) {
        // biome-ignore lint/complexity/noArguments: the test checks how many arguments arrived
        argCounts.push(arguments.length);
      },
    });
    expect(one.success).toBe(true);
    expect(new Set(argCounts)).toEqual(new Set([1]));
    expect(one.logs.some((m) => m.startsWith('Sandbox files:'))).toBe(true); // logsLevel DEBUG

    let calls = 0;
    const two = await runner.runFromContent({
      serviceId: 'two',
      content: server,
      port: await freePort(),
      onLog: (record) => {
        calls += 1;
        expect(record.serviceId).toBe('two');
        throw new Error('callback bug');
      },
    });
    expect(two.success).toBe(true);
    expect(calls).toBeGreaterThan(5);
    const warnings = logger.calls.filter((c) => c.level === 'warn' && c.msg.includes('onLog threw'));
    expect(warnings).toHaveLength(1);
    expect(logger.calls.find((c) => c.msg === 'Creating sandbox for service_two')?.bindings).toEqual({
      service: 'two',
    });
    await runner.close();
  });

  it('restarts a running id, saying so, and never interleaves two runs of one id', async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'restart') });
    const events: Array<[string, string]> = [];
    const port = await freePort();
    const start = (tag: string) =>
      runner.runFromContent({
        serviceId: 'api',
        content: server,
        port,
        onLog: ({ message: m }) => events.push([tag, m]),
      });
    const [a, b] = await Promise.all([start('a'), start('b')]);
    expect(a.success).toBe(true);
    expect(b.success).toBe(true);
    const lastA = events.findLastIndex(([tag]) => tag === 'a');
    const firstB = events.findIndex(([tag]) => tag === 'b');
    expect(lastA).toBeLessThan(firstB);
    expect(
      events.some(
        ([tag, m]) =>
          tag === 'b' && m === `Service service_api is already running (PID ${a.pid}): stopping it before the restart`,
      ),
    ).toBe(true);
    expect(pidAlive(a.pid!)).toBe(false);
    expect(runner.list().map((s) => s.pid)).toEqual([b.pid]);
    // Invalid new content is refused without touching the running instance.
    const invalid = await runner.runFromContent({ serviceId: 'api', content: 'no blocks here', port });
    expect(invalid.errorCategory).toBe('validation');
    expect(pidAlive(b.pid!)).toBe(true);
    expect(runner.get('api')?.pid).toBe(b.pid);
    await runner.close();
    expect(pidAlive(b.pid!)).toBe(false);
    expect(runner.list()).toEqual([]);
    await expect(start('c')).rejects.toThrow(/closed/);
  });

  it('close() ends a run that is still waiting for readiness, with a category, and stops its process', async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'closing') });
    let waiting!: () => void;
    const isWaiting = new Promise<void>((resolve) => (waiting = resolve));
    const pending = runner.runFromContent({
      serviceId: 'slow',
      content: await fixture('node-never-ready.md'),
      port: await freePort(),
      timeoutMs: 60_000,
      onLog: ({ message: m }) => m === 'Waiting for server to start...' && waiting(),
    });
    await isWaiting;
    await runner.close();
    const result = await pending;
    expect(result.success).toBe(false);
    expect(result.errorCategory).toBe('killed');
    expect(result.message).toMatch(/closed/);
    expect(pidAlive(result.pid!)).toBe(false);
  });

  it("emits 'log' for every live record", async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'events') });
    const seen: Array<[string, ServiceLogRecord]> = [];
    runner.on('log', (id, record) => seen.push([id, record]));
    const result = await runner.runFromContent({
      serviceId: 'ev',
      content: {
        files: { 'server.js': server.split('```')[1]!.replace(/^javascript markpact:file path=server.js\n/, '') },
      },
      port: await freePort(),
    });
    expect(result.success, result.message).toBe(true);
    expect(seen.every(([id, r]) => id === 'ev' && r.serviceId === 'ev')).toBe(true);
    expect(seen.map(([, r]) => r.stream)).toEqual(expect.arrayContaining(['system', 'stdout']));
    expect(seen.map(([, r]) => r.message)).toContain(`✓ Project running on http://localhost:${result.port}`);
    await runner.close();
  });

  it('has the public types the app relies on', () => {
    expectTypeOf<ServiceRunner['runFromContent']>().returns.resolves.toEqualTypeOf<RunResult>();
    expectTypeOf<RunResult['errorCategory']>().toEqualTypeOf<import('../../src/process/types.js').FailureCategory>();
    expectTypeOf<ServiceRunnerEvents['log']>().toEqualTypeOf<[serviceId: string, record: ServiceLogRecord]>();
  });
});
