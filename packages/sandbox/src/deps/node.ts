import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { redactText } from './redact.js';
import { runInstaller } from './run-installer.js';
import type { MessageSink } from './types.js';

/** Settings of the npm installer. */
export interface NodeInstallOptions {
  /** The npm executable. */
  npm: string;
  /** Extra arguments for `npm install`. */
  npmArgs: readonly string[];
  env: NodeJS.ProcessEnv;
  sink: MessageSink;
  /** Keep a package.json the service brought, installing the dependencies with `--no-save`. */
  keepPackageJson?: boolean;
}

/** `express@^4` -> `['express', '^4']`; `@scope/pkg@1` -> `['@scope/pkg', '1']`; a bare name gets `*`. */
export function splitNpmSpec(spec: string): [string, string] {
  const at = spec.indexOf('@', spec.startsWith('@') ? 1 : 0);
  return at === -1 ? [spec, '*'] : [spec.slice(0, at), spec.slice(at + 1) || '*'];
}

/**
 * Whether a dependency's package name is safe as a folder under `node_modules`:
 * a name, or `@scope/name`; no `..`, no leading dot, no absolute path, no other separator.
 */
export function isSafeNpmName(dep: string): boolean {
  const [name] = splitNpmSpec(dep);
  if (name === '' || name.includes('..') || name.includes('\\') || name.includes('\0')) return false;
  const parts = name.split('/');
  if (parts.some((part) => part.startsWith('.'))) return false;
  if (name.startsWith('@')) return parts.length === 2 && parts[0]!.length > 1 && parts[1] !== '';
  return parts.length === 1;
}

/** `name@range` for each entry of a service's own package.json `dependencies`; `[]` when there is none or it is not JSON. */
export function packageJsonDeps(spec: { files: ReadonlyArray<{ path: string; content: string }> }): string[] {
  const file = spec.files.find((f) => f.path === 'package.json');
  if (file === undefined) return [];
  try {
    const deps = (JSON.parse(file.content) as { dependencies?: unknown }).dependencies;
    if (deps === null || typeof deps !== 'object') return [];
    return Object.entries(deps as Record<string, unknown>)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
      .map(([name, range]) => `${name}@${range}`);
  } catch {
    return [];
  }
}

/** The package.json the runner writes for a service that brings none. */
export function packageJsonFor(deps: readonly string[]): string {
  const dependencies: Record<string, string> = {};
  for (const dep of deps) {
    const [name, range] = splitNpmSpec(dep);
    dependencies[name] = range;
  }
  return `${JSON.stringify({ name: 'pactown-service', version: '0.0.0', private: true, dependencies }, null, 2)}\n`;
}

/**
 * Installs `deps` into `{dir}/node_modules` with npm, writing `dir`'s
 * package.json first. No audit, no funding messages: installer output stays
 * about the install.
 */
export async function buildNodeEnv(dir: string, deps: readonly string[], options: NodeInstallOptions): Promise<void> {
  if (!options.keepPackageJson) await writeFile(join(dir, 'package.json'), packageJsonFor(deps));
  options.sink('info', redactText(`Installing npm dependencies: ${deps.join(', ')}`));
  const explicit = options.keepPackageJson ? ['--no-save', ...deps] : [];
  await runInstaller({
    command: options.npm,
    args: [
      'install',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--loglevel=warn',
      ...options.npmArgs,
      ...explicit,
    ],
    cwd: dir,
    env: options.env,
    sink: options.sink,
  });
}

/** node_modules is usable when every dependency's package.json is there. */
export async function checkNodeEnv(dir: string, deps: readonly string[]): Promise<boolean> {
  for (const dep of deps) {
    if (!isSafeNpmName(dep)) return false; // never a path outside node_modules
    const [name] = splitNpmSpec(dep);
    const ok = await access(join(dir, 'node_modules', name, 'package.json')).then(
      () => true,
      () => false,
    );
    if (!ok) return false;
  }
  return (
    deps.length === 0 ||
    (await readFile(join(dir, 'package.json'), 'utf8').then(
      () => true,
      () => false,
    ))
  );
}
