import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * Creates a virtual environment at `venv` and installs `deps` into it with
 * pip, from `cwd` so that local paths (`./localpkg`) resolve in the sandbox.
 * Without dependencies the venv is made without pip, which takes a tenth of
 * the time.
 */
export async function buildPythonEnv(venv: string, deps: readonly string[], cwd: string, options: PythonInstallOptions): Promise<void> {
  const args = ['-m', 'venv', ...(deps.length === 0 ? ['--without-pip'] : []), venv];
  options.sink('info', `Creating virtual environment (${deps.length === 0 ? 'no dependencies' : `${deps.length} dependencies`})`);
  await runInstaller({ command: options.python, args, cwd, env: options.env, sink: options.sink });
  if (deps.length === 0) return;
  options.sink('info', `Installing Python dependencies: ${deps.join(', ')}`);
  await runInstaller({
    command: venvPython(venv),
    args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...options.pipArgs, ...deps],
    cwd,
    env: options.env,
    sink: options.sink,
  });
}

/** A venv is usable when its interpreter is there and executable. */
export async function checkPythonEnv(venv: string): Promise<boolean> {
  return access(venvPython(venv), constants.X_OK).then(
    () => true,
    () => false,
  );
}
