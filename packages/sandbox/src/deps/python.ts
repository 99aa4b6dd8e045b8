import { execFile } from 'node:child_process';
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
export async function buildPythonEnv(venv: string, deps: readonly string[], cwd: string, options: PythonInstallOptions): Promise<void> {
  const useHostPip = deps.length > 0 && (await hostPipCanTarget(options.python));
  const withoutPip = deps.length === 0 || useHostPip;
  const args = ['-m', 'venv', ...(withoutPip ? ['--without-pip'] : []), venv];
  options.sink('info', `Creating virtual environment (${deps.length === 0 ? 'no dependencies' : `${deps.length} dependencies`})`);
  await runInstaller({ command: options.python, args, cwd, env: options.env, sink: options.sink });
  if (deps.length === 0) return;
  options.sink('info', `Installing Python dependencies: ${deps.join(', ')}`);
  const install = ['install', '--disable-pip-version-check', '--no-input', ...options.pipArgs, ...deps];
  await runInstaller({
    command: useHostPip ? options.python : venvPython(venv),
    args: useHostPip ? ['-m', 'pip', '--python', venvPython(venv), ...install] : ['-m', 'pip', ...install],
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
