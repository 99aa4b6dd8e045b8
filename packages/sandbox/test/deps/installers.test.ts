import { execFile } from 'node:child_process';
import { lstat, mkdtemp, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, tempDir } from '@pactown/test-helpers';
import { EnvCache } from '../../src/deps/cache.js';
import { checkPythonEnv } from '../../src/deps/python.js';
import { DependencyError } from '../../src/deps/errors.js';
import { type DependencySettings, prepareEnvironment } from '../../src/deps/setup.js';
import type { ServiceSpec } from '../../src/spec/types.js';
import { createSandbox } from '../../src/workspace/sandbox.js';
import { fixtureFiles, recordingSink, startLocalIndex } from './helpers.js';

const run = promisify(execFile);
let root: string;
let rootDir: TempDir;
let settings: DependencySettings;
beforeAll(async () => {
  rootDir = await tempDir('pactown-deps-');
  root = rootDir.path;
  settings = {
    cache: new EnvCache({ dir: join(root, '.cache') }),
    python: 'python3',
    pipArgs: [],
    npm: 'npm',
    npmArgs: [],
    env: process.env,
  };
});
afterAll(async () => {
  await rootDir.remove();
});

function spec(partial: Partial<ServiceSpec>): ServiceSpec {
  return { files: [], deps: [], runtime: 'python', run: 'python main.py', runGuessed: false, tests: [], ...partial };
}

async function pythonIn(sandbox: string, code: string): Promise<string> {
  return (await run(join(sandbox, '.venv', 'bin', 'python'), ['-c', code], { cwd: sandbox })).stdout.trim();
}

// pip is slow on a loaded host (each run starts Python twice): generous timeouts, one at a time.
describe('Python environments', { timeout: 180_000 }, () => {
  it('creates a venv at .venv without dependencies, linked from the cache, and reuses it', async ({ expect }) => {
    const s = spec({ files: [{ path: 'main.py', content: '' }] });
    const sandbox = await createSandbox(root, 'py1', s.files);
    const env = await prepareEnvironment(sandbox, s, settings, recordingSink());
    expect(env.envDir).toBe(join(sandbox, '.venv'));
    expect((await lstat(env.envDir!)).isSymbolicLink()).toBe(true);
    expect(env.cacheHit).toBe(false);
    expect(await pythonIn(sandbox, 'import sys; print(sys.prefix != sys.base_prefix)')).toBe('True');
    const again = await createSandbox(root, 'py2', s.files);
    const sink = recordingSink();
    const second = await prepareEnvironment(again, s, settings, sink);
    expect(second.cacheHit).toBe(true);
    expect(sink.messages.map((m) => m.message)).toContainEqual(expect.stringMatching(/^Using cached venv \(\d+ms\)$/));
  });

  it('installs a local package directory with --no-index and streams pip output', async ({ expect }) => {
    const files = [{ path: 'main.py', content: '' }, ...(await fixtureFiles('localpkg'))];
    const s = spec({ files, deps: ['./localpkg'] });
    const sandbox = await createSandbox(root, 'local', files);
    const sink = recordingSink();
    await prepareEnvironment(sandbox, s, { ...settings, pipArgs: ['--no-index'] }, sink);
    expect(await pythonIn(sandbox, 'import hello; print(hello.GREETING)')).toBe('hello from a local package');
    const text = sink.messages.map((m) => m.message);
    expect(text).toContain('Dependencies detected: count=1');
    expect(text).toContainEqual(expect.stringMatching(/Successfully installed hello-local/));
    expect(text.at(-1)).toBe('Dependencies installed');
  });

  it('fails with the installer error lines when pip cannot find a package', async ({ expect }) => {
    const s = spec({ deps: ['pactown-no-such-package-4711'] });
    const sandbox = await createSandbox(root, 'pipfail', [{ path: 'main.py', content: '' }]);
    const error = await prepareEnvironment(sandbox, s, { ...settings, pipArgs: ['--no-index'] }, recordingSink()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).output).toMatch(
      /No matching distribution found for pactown-no-such-package-4711/,
    );
    expect(await lstat(join(root, '.cache', 'venvs')).then(() => true)).toBe(true);
  });

  it('installs a package by name from a package index over HTTP', async (ctx) => {
    const { expect } = ctx;
    const index = await startLocalIndex(await mkdtemp(join(root, 'wheels-'))).catch((error: Error) => error);
    if (index instanceof Error) {
      ctx.skip(true, `no package index could be started here (${index.message}): skipping the install from an index`);
      return;
    }
    try {
      const s = spec({ deps: ['hello-local'] });
      const sandbox = await createSandbox(root, 'index', [{ path: 'main.py', content: '' }]);
      await prepareEnvironment(sandbox, s, { ...settings, pipArgs: ['--index-url', index.url] }, recordingSink());
      expect(await pythonIn(sandbox, 'import hello; print(hello.GREETING)')).toBe('hello from a local package');
      // Verification looks for the installed distribution: without it the cached venv is rebuilt.
      const venv = await realpath(join(sandbox, '.venv'));
      expect(await checkPythonEnv(venv, s.deps)).toBe(true);
      expect(await checkPythonEnv(venv, ['hello-local', 'not-installed'])).toBe(false);
    } finally {
      await index.close();
    }
  });
});

describe('Node environments', () => {
  it('needs nothing without dependencies', async () => {
    const sandbox = await createSandbox(root, 'node0', [{ path: 'server.js', content: '' }]);
    const env = await prepareEnvironment(
      sandbox,
      spec({ runtime: 'node', run: 'node server.js' }),
      settings,
      recordingSink(),
    );
    expect(env.envDir).toBeNull();
  });

  it('fails with npm’s own error when a package does not exist', async () => {
    const sandbox = await createSandbox(root, 'npmfail', [{ path: 'server.js', content: '' }]);
    const s = spec({
      runtime: 'node',
      run: 'node server.js',
      deps: ['@pactown-nonexistent-scope/no-such-package-4711'],
    });
    const error = await prepareEnvironment(sandbox, s, settings, recordingSink()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).output).toMatch(/404|E404|not found/i);
  });
});
