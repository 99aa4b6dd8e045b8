import { execFile } from 'node:child_process';
import { access, constants, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { redactText } from './redact.js';
import { runInstaller } from './run-installer.js';
import type { MessageSink } from './types.js';

/** Settings of the Python installer. */
export interface PythonInstallOptions {
  /** The interpreter that creates virtual environments. */
  python: string;
  /** Extra arguments for `pip install` (e.g. `['--no-index']`). */
  pipArgs: readonly string[];
  /** Environment for the installer processes. */
  env: NodeJS.ProcessEnv;
  sink: MessageSink;
}

/** The venv's interpreter. */
export function venvPython(venv: string): string {
  return join(venv, 'bin', 'python');
}

const hostPip = new Map<string, Promise<boolean>>();

/** Whether `python -m pip` exists and is new enough (22.3+) to install into another interpreter with `--python`. */
export function hostPipCanTarget(python: string): Promise<boolean> {
  let known = hostPip.get(python);
  if (known === undefined) {
    known = new Promise((resolve) => {
      execFile(python, ['-m', 'pip', '--version'], { timeout: 30_000 }, (error, stdout) => {
        const m = /^pip (\d+)\.(\d+)/.exec(stdout);
        resolve(error === null && m !== null && (Number(m[1]) > 22 || (Number(m[1]) === 22 && Number(m[2]) >= 3)));
      });
    });
    hostPip.set(python, known);
  }
  return known;
}

/**
 * Creates a virtual environment at `venv` and installs `deps` into it with
 * pip, from `cwd` so that local paths (`./localpkg`) resolve in the sandbox.
 * The venv is made without pip when the host's pip can install into it
 * (`pip --python`): seeding pip into every venv costs seconds.
 */
export async function buildPythonEnv(
  venv: string,
  deps: readonly string[],
  cwd: string,
  options: PythonInstallOptions,
): Promise<void> {
  const useHostPip = deps.length > 0 && (await hostPipCanTarget(options.python));
  const withoutPip = deps.length === 0 || useHostPip;
  const args = ['-m', 'venv', ...(withoutPip ? ['--without-pip'] : []), venv];
  options.sink(
    'info',
    `Creating virtual environment (${deps.length === 0 ? 'no dependencies' : `${deps.length} dependencies`})`,
  );
  await runInstaller({ command: options.python, args, cwd, env: options.env, sink: options.sink });
  if (deps.length === 0) return;
  options.sink('info', redactText(`Installing Python dependencies: ${deps.join(', ')}`));
  const install = ['install', '--disable-pip-version-check', '--no-input', ...options.pipArgs, ...deps];
  await runInstaller({
    command: useHostPip ? options.python : venvPython(venv),
    args: useHostPip ? ['-m', 'pip', '--python', venvPython(venv), ...install] : ['-m', 'pip', ...install],
    cwd,
    env: options.env,
    sink: options.sink,
  });
}

/** PEP 503 name normalization: `Foo_Bar.baz` -> `foo-bar-baz`. */
export function normalizePythonName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The project name of a requirement line (`fastapi[all]>=0.1; python_version>'3'` -> `fastapi`); `null` for paths and URLs. */
export function requirementName(requirement: string): string | null {
  const trimmed = requirement.trim();
  if (/^(\.{1,2}\/|\/|file:|[a-z+]+:\/\/)/i.test(trimmed)) return null;
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(trimmed);
  return m === null ? null : normalizePythonName(m[1]!);
}

/**
 * A venv is usable when its interpreter resolves and is executable, and every
 * named requirement has its `.dist-info` in site-packages.
 */
export async function checkPythonEnv(venv: string, deps: readonly string[] = []): Promise<boolean> {
  const runnable = await access(venvPython(venv), constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!runnable) return false;
  const names = deps.map(requirementName).filter((n): n is string => n !== null);
  if (names.length === 0) return true;
  const installed = new Set<string>();
  const libs = await readdir(join(venv, 'lib')).catch(() => [] as string[]);
  for (const lib of libs) {
    for (const entry of await readdir(join(venv, 'lib', lib, 'site-packages')).catch(() => [] as string[])) {
      const m = /^(.+?)-[^-]+\.dist-info$/.exec(entry);
      if (m !== null) installed.add(normalizePythonName(m[1]!));
    }
  }
  return names.every((n) => installed.has(n));
}
