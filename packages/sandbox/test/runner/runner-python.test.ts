import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, freePort, tempDir } from '@pactown/test-helpers';
import { cacheKey } from '../../src/deps/cache-key.js';
import { ServiceRunner } from '../../src/runner/service-runner.js';
import { fixture, httpGet, inOrder } from './helpers.js';

let root: string;
let rootDir: TempDir;
let runner: ServiceRunner;
beforeAll(async () => {
  rootDir = await tempDir('pactown-runner-py-');
  root = rootDir.path;
  runner = new ServiceRunner({ sandboxesDir: root, killGraceMs: 2000 });
});
afterAll(async () => {
  await runner.close();
  await rootDir.remove();
});

describe('ServiceRunner with Python services', () => {
  it('runs python -m http.server inside a venv', async () => {
    const port = await freePort();
    const result = await runner.runFromContent({
      serviceId: 'static',
      content: await fixture('python-http.md'),
      port,
      timeoutMs: 30_000,
    });
    expect(result.success, result.message).toBe(true);
    const venv = join(result.sandboxPath!, '.venv');
    expect((await lstat(venv)).isSymbolicLink()).toBe(true);
    expect(runner.get('static')?.envDir).toBe(venv);
    expect((await httpGet(port, '/')).body).toContain('hello from python');
    // http.server answers /health with 404, so readiness falls back to '/'.
    expect(result.logs).toContain('✓ Server responding (status 200)');
    await runner.stop('static');
  });

  it('installs into the sandbox itself when the cache is off', async () => {
    const uncached = new ServiceRunner({ sandboxesDir: join(root, 'uncached'), cache: false });
    const result = await uncached.runFromContent({
      serviceId: 'plain',
      content: await fixture('python-http.md'),
      port: await freePort(),
      timeoutMs: 30_000,
    });
    expect(result.success, result.message).toBe(true);
    const venv = await lstat(join(result.sandboxPath!, '.venv'));
    expect(venv.isDirectory() && !venv.isSymbolicLink()).toBe(true);
    expect(result.logs.some((m) => /^(Using cached|Cache (hit|miss)|Checking cache)/.test(m))).toBe(false);
    await uncached.close();
  });

  it('builds the environment once when two services with the same dependencies start at once', async () => {
    const fresh = new ServiceRunner({ sandboxesDir: join(root, 'twins') });
    const content = await fixture('python-http.md');
    const lines: string[] = [];
    const results = await Promise.all(
      ['twin-a', 'twin-b'].map(async (serviceId) =>
        fresh.runFromContent({
          serviceId,
          content,
          port: await freePort(),
          onLog: (r) => r.logger === 'pactown.fast_start' && lines.push(r.message),
          timeoutMs: 30_000,
        }),
      ),
    );
    expect(results.every((r) => r.success)).toBe(true);
    expect(lines.filter((m) => m.startsWith('Cache miss:'))).toHaveLength(1);
    expect(lines.filter((m) => m.startsWith('Using cached venv'))).toHaveLength(1);
    expect(await readdir(join(root, 'twins', '.cache', 'venvs'))).toEqual([`venv_${cacheKey([])}`]);
    await fresh.close();
  });

  it("reports the seed's missing module as a dependency failure, with its stderr and messages in order", async () => {
    const messages: string[] = [];
    const result = await runner.runFromContent({
      serviceId: 'missing',
      content: await fixture('python-missing-module.md'),
      port: await freePort(),
      onLog: ({ message }) => messages.push(message),
      timeoutMs: 30_000,
    });
    expect(result.success).toBe(false);
    expect(result.errorCategory).toBe('dependency');
    expect(result.stderrOutput).toMatch(/ModuleNotFoundError: No module named 'missing_module'\n?$/);
    expect(result.suggestions.map((s) => s.description).join('\n')).toMatch(/missing_module/);
    expect(result.diedReport?.envDir).toBe(join(result.sandboxPath!, '.venv'));
    expect(result.diedReport?.files).toEqual(expect.arrayContaining(['.venv', 'main.py']));
    inOrder(messages, [
      'Found 1 files, 0 dependencies',
      'Creating sandbox for service_missing',
      /^Process started with PID: \d+$/,
      'Waiting for server to start...',
      '❌ Process exited with code: 1',
      'STDERR:',
      /ModuleNotFoundError: No module named 'missing_module'/,
      '❌ Server failed to start - check dependencies and code',
    ]);
    expect(result.logs).toEqual(messages.filter((m) => result.logs.includes(m)));
  });

  it('keeps the end of a long stderr, never cutting off the last exception line', async () => {
    const content = {
      files: {
        'main.py':
          'import sys\nfor i in range(5000):\n    print("noise line", i, "x" * 40, file=sys.stderr)\nraise RuntimeError("the real reason")\n',
      },
      run: 'python main.py',
    };
    const small = new ServiceRunner({ sandboxesDir: root, tailBytes: 4096 });
    const result = await small.runFromContent({
      serviceId: 'noisy',
      content,
      port: await freePort(),
      timeoutMs: 30_000,
    });
    await small.close();
    expect(result.errorCategory).toBe('process_crash');
    expect(result.stderrOutput).toMatch(/RuntimeError: the real reason\n?$/);
    expect(result.stderrOutput.length).toBeLessThan(4096 + 200);
    expect(result.diedReport?.stderrDroppedBytes).toBeGreaterThan(0);
  });

  it('fails with category dependency and the installer’s own error lines when an install fails', async () => {
    const md =
      '```javascript markpact:deps\n@pactown-nonexistent-scope/no-such-package-4711\n```\n```js markpact:file path=server.js\n\n```\n';
    const result = await runner.runFromContent({ serviceId: 'badnpm', content: md, port: await freePort() });
    expect(result.success).toBe(false);
    expect(result.errorCategory).toBe('dependency');
    expect(result.stderrOutput).toMatch(/404/);
    expect(result.pid).toBeNull();
    expect(result.logs).toContain('STDERR:');
    expect(result.suggestions.map((s) => s.action)).toContain('check_dependencies');
    const key = cacheKey(['@pactown-nonexistent-scope/no-such-package-4711']);
    expect(await readdir(join(root, '.cache', 'nodes'))).not.toContain(`node_${key}`);
  });
});
