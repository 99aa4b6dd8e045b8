import { mkdir, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TempDir, tempDir } from '@pactown/test-helpers';
import { EnvCache, type EnvKind } from '../../src/deps/cache.js';
import { DependencyError } from '../../src/deps/errors.js';
import { cacheKey, normalizeDeps, pyList } from '../../src/deps/cache-key.js';
import { recordingSink } from './helpers.js';

let dir: string;
let tmp: TempDir;
beforeEach(async () => {
  tmp = await tempDir('pactown-cache-');
  dir = tmp.path;
});
afterEach(async () => {
  await tmp.remove();
});

/** A kind whose build writes one file, counting builds; verify checks the file. */
function countingKind(): EnvKind & { builds: number } {
  const kind = {
    prefix: 'venv',
    label: 'venv',
    builds: 0,
    async build(target: string) {
      kind.builds += 1;
      await new Promise((r) => setImmediate(r));
      await writeFile(join(target, 'ok'), 'ok');
    },
    async verify(target: string) {
      return readdir(target).then(
        (names) => names.includes('ok'),
        () => false,
      );
    },
  };
  return kind;
}

describe('cache key', () => {
  it('is the first 16 hex digits of sha256 over the normalized list', () => {
    expect(cacheKey(['Uvicorn', 'fastapi', 'fastapi'])).toMatch(/^[0-9a-f]{16}$/);
    expect(normalizeDeps([' Uvicorn', 'fastapi', 'fastapi'])).toEqual(['fastapi', 'uvicorn']);
    expect(pyList(['fastapi', 'uvicorn'])).toBe("['fastapi', 'uvicorn']");
  });

  it('property: order, case, duplicates and whitespace do not change the key', () => {
    const dep = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(fc.array(dep, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (deps, picks) => {
        const shuffled = [...deps].reverse().map((d, i) => ((picks[i] ?? 0) % 2 ? ` ${d.toUpperCase()} ` : d));
        expect(cacheKey([...shuffled, ...deps.slice(0, 1)])).toBe(cacheKey(deps));
      }),
    );
  });
});

describe('EnvCache', () => {
  it('misses, then hits, with the seed log lines on pactown.fast_start', async () => {
    const cache = new EnvCache({ dir });
    const kind = countingKind();
    const first = recordingSink();
    const a = await cache.acquire(kind, ['fastapi', 'uvicorn'], first);
    expect(a.hit).toBe(false);
    expect(first.messages.map((m) => m.message)).toContain(`Cache miss: venv_${a.key}`);
    const second = recordingSink();
    const b = await cache.acquire(kind, ['uvicorn', 'FastAPI'], second);
    expect(b.hit).toBe(true);
    expect(b.dir).toBe(a.dir);
    expect(kind.builds).toBe(1);
    const lines = second.messages.map((m) => `${m.level} ${m.message}`);
    expect(lines[0]).toBe("debug Checking cache for deps: ['fastapi', 'uvicorn']");
    expect(lines[1]).toBe(`debug Cache hit: venv_${a.key}`);
    expect(lines[2]).toMatch(/^info Using cached venv \(\d+ms\)$/);
    expect(second.messages.every((m) => m.logger === 'pactown.fast_start')).toBe(true);
  });

  it('builds once for concurrent requests with the same dependencies', async () => {
    const cache = new EnvCache({ dir });
    const kind = countingKind();
    const leases = await Promise.all([1, 2, 3].map(() => cache.acquire(kind, ['x'], recordingSink())));
    expect(kind.builds).toBe(1);
    expect(leases.filter((l) => !l.hit)).toHaveLength(1);
  });

  it('rebuilds an entry that fails verification', async () => {
    const cache = new EnvCache({ dir });
    const kind = countingKind();
    const a = await cache.acquire(kind, ['x'], recordingSink());
    await rm(join(a.dir, 'ok'));
    const sink = recordingSink();
    const b = await cache.acquire(kind, ['x'], sink);
    expect(b.hit).toBe(false);
    expect(kind.builds).toBe(2);
    expect(sink.messages.some((m) => m.level === 'warn' && m.message.includes('failed verification'))).toBe(true);
  });

  it('removes a failed build and rethrows its error', async () => {
    const cache = new EnvCache({ dir });
    const kind = { ...countingKind(), build: async () => Promise.reject(new Error('boom')) };
    await expect(cache.acquire(kind, ['x'], recordingSink())).rejects.toThrow('boom');
    expect(await readdir(join(dir, 'venvs'))).toEqual([]);
  });

  it('keeps at most maxEntries, dropping the least recently used but never one in use', async () => {
    const cache = new EnvCache({ dir, maxEntries: 2 });
    const kind = countingKind();
    const a = await cache.acquire(kind, ['a'], recordingSink());
    const b = await cache.acquire(kind, ['b'], recordingSink());
    a.release();
    b.release();
    const past = new Date(Date.now() - 60_000);
    await utimes(join(b.dir, '.pactown-cache.json'), past, past);
    await cache.acquire(kind, ['a'], recordingSink()); // a is now the most recently used
    const c = await cache.acquire(kind, ['c'], recordingSink());
    const names = await readdir(join(dir, 'venvs'));
    expect(names).toContain(`venv_${a.key}`);
    expect(names).toContain(`venv_${c.key}`);
    expect(names).not.toContain(`venv_${b.key}`);
  });

  it('removes entries older than maxAgeMs', async () => {
    const cache = new EnvCache({ dir, maxAgeMs: 60_000 });
    const kind = countingKind();
    const a = await cache.acquire(kind, ['a'], recordingSink());
    const b = await cache.acquire(kind, ['b'], recordingSink());
    a.release();
    b.release();
    const past = new Date(Date.now() - 3_600_000);
    await utimes(join(a.dir, '.pactown-cache.json'), past, past);
    expect(await cache.prune()).toEqual([a.dir]);
  });
});

describe('Python requirement names for verification', () => {
  it('reads the project name of a requirement line', async () => {
    const { requirementName } = await import('../../src/deps/python.js');
    expect(requirementName('fastapi[all]>=0.1; python_version > "3"')).toBe('fastapi');
    expect(requirementName('Flask_SQLAlchemy==3.0')).toBe('flask-sqlalchemy');
    expect(requirementName('./localpkg')).toBeNull();
    expect(requirementName('https://example.invalid/x.whl')).toBeNull();
  });
});

describe('installer output', () => {
  it('streams lines live and masks credentials in the command and the output', async () => {
    const { runInstaller } = await import('../../src/deps/run-installer.js');
    const sink = recordingSink();
    const script =
      'console.log("Looking in indexes: https://user:s3cret@example.invalid/simple"); console.error("fatal"); process.exit(2)';
    const error = await runInstaller({
      command: process.execPath,
      args: ['-e', script, '--', '--index-url', 'https://bob:hunter2@example.invalid/'],
      cwd: dir,
      sink,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyError);
    const e = error as DependencyError;
    expect(e.exitCode).toBe(2);
    expect(e.command).not.toContain('hunter2');
    expect(e.output).toContain('fatal');
    expect(e.output).not.toContain('s3cret');
    expect(sink.messages.map((m) => `${m.level} ${m.message}`)).toEqual([
      'info Looking in indexes: https://user:[REDACTED]@example.invalid/simple',
      'warn fatal',
    ]);
  });
});

describe('npm requirement helpers', () => {
  it('splits specs and reads a service package.json', async () => {
    const { packageJsonDeps, packageJsonFor, splitNpmSpec } = await import('../../src/deps/node.js');
    expect(splitNpmSpec('express@^4.18.0')).toEqual(['express', '^4.18.0']);
    expect(splitNpmSpec('@scope/pkg@1')).toEqual(['@scope/pkg', '1']);
    expect(splitNpmSpec('ms')).toEqual(['ms', '*']);
    expect(JSON.parse(packageJsonFor(['ms@2.1.3', '@a/b'])).dependencies).toEqual({ ms: '2.1.3', '@a/b': '*' });
    const files = [{ path: 'package.json', content: '{"dependencies":{"ms":"2.1.3","@a/b":"^1"}}' }];
    expect(packageJsonDeps({ files })).toEqual(['ms@2.1.3', '@a/b@^1']);
    expect(packageJsonDeps({ files: [{ path: 'package.json', content: 'not json' }] })).toEqual([]);
  });
});

describe('checkNodeEnv', () => {
  it('never looks outside node_modules for a dependency name', async () => {
    const { checkNodeEnv } = await import('../../src/deps/node.js');
    const env = join(dir, 'node-env-check');
    await mkdir(join(env, 'node_modules', 'ms'), { recursive: true });
    await mkdir(join(env, 'outside'), { recursive: true });
    await writeFile(join(env, 'package.json'), '{}');
    await writeFile(join(env, 'node_modules', 'ms', 'package.json'), '{}');
    await writeFile(join(env, 'outside', 'package.json'), '{}');
    expect(await checkNodeEnv(env, ['ms@2'])).toBe(true);
    expect(await checkNodeEnv(env, ['../outside'])).toBe(false);
    expect(await checkNodeEnv(env, [`${join(env, 'outside')}@1`])).toBe(false);
  });
});

describe('EnvCache across processes', () => {
  it('builds once when two processes share the cache folder', async () => {
    const { execFile } = await import('node:child_process');
    const { readFile } = await import('node:fs/promises');
    const worker = join(import.meta.dirname, '..', 'fixtures', 'runner', 'cache-worker.ts');
    const builds = join(dir, 'builds.txt');
    const started = join(dir, 'started.txt');
    await writeFile(builds, '');
    await writeFile(started, '');
    const tsx = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const run = () =>
      new Promise<{ hit: boolean; dir: string }>((resolve, reject) =>
        execFile(tsx, [worker, join(dir, 'shared'), builds, started], { timeout: 60_000 }, (error, stdout) =>
          error ? reject(error) : resolve(JSON.parse(stdout)),
        ),
      );
    const results = await Promise.all([run(), run()]);
    expect((await readFile(builds, 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(results.map((r) => r.hit).sort()).toEqual([false, true]);
    expect(results[0]!.dir).toBe(results[1]!.dir);
  });
});
