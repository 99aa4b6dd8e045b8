import { createHash } from 'node:crypto';
import { access, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceSpec } from '../spec/types.js';
import type { CacheLease, EnvCache } from './cache.js';
import { isLocalRequirement } from './cache-key.js';
import { buildNodeEnv, checkNodeEnv, packageJsonDeps, packageJsonFor } from './node.js';
import { buildPythonEnv, checkPythonEnv } from './python.js';
import type { MessageSink, PreparedEnvironment } from './types.js';
import { safeWriteFile } from '../workspace/safe-write.js';

/** Installer settings shared by every run. */
export interface DependencySettings {
  /** `null` installs into each sandbox with no sharing. */
  cache: EnvCache | null;
  python: string;
  pipArgs: readonly string[];
  npm: string;
  npmArgs: readonly string[];
  /** Environment for installer processes. */
  env: NodeJS.ProcessEnv;
}

/** A prepared environment and the cache lease to release when the service stops. */
export interface EnvironmentSetup extends PreparedEnvironment {
  lease: CacheLease | null;
}

/**
 * Gives the sandbox its dependency environment: a venv at `.venv` for Python
 * (always, even without dependencies), `node_modules` for Node when there are
 * dependencies. With a cache the environment is linked from it.
 */
export async function prepareEnvironment(
  sandbox: string,
  given: ServiceSpec,
  settings: DependencySettings,
  sink: MessageSink,
): Promise<EnvironmentSetup> {
  // A Node service that lists its dependencies only in its own package.json gets them installed too.
  const spec = given.runtime === 'node' && given.deps.length === 0 ? { ...given, deps: packageJsonDeps(given) } : given;
  const deps = spec.deps;
  if (deps.length > 0) sink('info', `Dependencies detected: count=${deps.length}`);
  if (spec.runtime === 'python') return preparePython(sandbox, spec, settings, sink);
  if (spec.runtime === 'node') return prepareNode(sandbox, spec, settings, sink);
  if (deps.length > 0) sink('warn', 'Dependencies given, but the runtime is unknown: nothing installed');
  return { envDir: null, binDirs: [], env: {}, cacheHit: false, lease: null };
}

async function preparePython(
  sandbox: string,
  spec: ServiceSpec,
  settings: DependencySettings,
  sink: MessageSink,
): Promise<EnvironmentSetup> {
  const venv = join(sandbox, '.venv');
  const options = { python: settings.python, pipArgs: settings.pipArgs, env: settings.env, sink };
  let lease: CacheLease | null = null;
  if (settings.cache === null) {
    await buildPythonEnv(venv, spec.deps, sandbox, options);
  } else {
    const kind = {
      prefix: 'venv',
      label: 'venv',
      build: (dir: string) => buildPythonEnv(dir, spec.deps, sandbox, options),
      verify: (dir: string) => checkPythonEnv(dir, spec.deps),
    };
    lease = await settings.cache.acquire(kind, spec.deps, sink, localContentHash(spec));
    await symlink(lease.dir, venv, 'dir');
  }
  sink('debug', `Using venv: ${venv}`);
  if (spec.deps.length > 0) sink('info', 'Dependencies installed');
  const env = { VIRTUAL_ENV: venv, PYTHONUNBUFFERED: '1' };
  return { envDir: venv, binDirs: [join(venv, 'bin')], env, cacheHit: lease?.hit ?? false, lease };
}

async function prepareNode(
  sandbox: string,
  spec: ServiceSpec,
  settings: DependencySettings,
  sink: MessageSink,
): Promise<EnvironmentSetup> {
  const hasPackageJson = spec.files.some((f) => f.path === 'package.json');
  if (spec.deps.length === 0) return { envDir: null, binDirs: [], env: {}, cacheHit: false, lease: null };
  const modules = join(sandbox, 'node_modules');
  const options = { npm: settings.npm, npmArgs: settings.npmArgs, env: settings.env, sink };
  let lease: CacheLease | null = null;
  if (settings.cache === null) {
    await buildNodeEnv(sandbox, spec.deps, { ...options, keepPackageJson: hasPackageJson });
  } else {
    if (!hasPackageJson) await safeWriteFile(sandbox, 'package.json', packageJsonFor(spec.deps));
    const kind = {
      prefix: 'node',
      label: 'node_modules',
      build: (dir: string) => buildNodeEnv(dir, spec.deps, { ...options, keepPackageJson: false }),
      verify: (dir: string) => checkNodeEnv(dir, spec.deps),
    };
    lease = await settings.cache.acquire(kind, spec.deps, sink);
    await symlink(join(lease.dir, 'node_modules'), modules, 'dir');
  }
  await access(modules);
  sink('info', 'Dependencies installed');
  return { envDir: modules, binDirs: [join(modules, '.bin')], env: {}, cacheHit: lease?.hit ?? false, lease };
}

/** Content hash of the files under local requirement folders (`./localpkg`), part of the cache key. */
function localContentHash(spec: ServiceSpec): string {
  const prefixes = spec.deps.filter(isLocalRequirement).map(
    (d) =>
      `${d
        .trim()
        .replace(/^file:/, '')
        .replace(/^\.\//, '')
        .replace(/\/+$/, '')}/`,
  );
  if (prefixes.length === 0) return '';
  const hash = createHash('sha256');
  for (const file of [...spec.files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    if (prefixes.some((p) => file.path.startsWith(p))) hash.update(`${file.path}\0${file.content}\0`);
  }
  return hash.digest('hex').slice(0, 16);
}
