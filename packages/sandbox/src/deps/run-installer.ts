import { spawn } from 'node:child_process';
import { redactText } from './redact.js';
import { DependencyError } from './errors.js';
import type { MessageSink } from './types.js';

/** How to run one installer step. */
export interface InstallerStep {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Receives each output line live. */
  sink: MessageSink;
  /** Bytes of combined output kept for the error. @default 16384 */
  tailBytes?: number;
  /** Stops the installer after this long. @default 600000 */
  timeoutMs?: number;
}

/**
 * Runs an installer, streaming its stdout and stderr line by line as they
 * arrive and keeping the last part of its output for the error. Resolves on
 * exit code 0, otherwise rejects with a DependencyError.
 */
export function runInstaller(step: InstallerStep): Promise<void> {
  const limit = step.tailBytes ?? 16_384;
  // Index URLs and requirements may carry credentials (`https://user:token@host`).
  const shown = redactText([step.command, ...step.args].join(' '));
  let tail = '';
  return new Promise((resolve, reject) => {
    const child = spawn(step.command, step.args, {
      cwd: step.cwd,
      env: step.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), step.timeoutMs ?? 600_000);
    const pending = { stdout: '', stderr: '' };
    const take = (stream: 'stdout' | 'stderr', text: string, final: boolean) => {
      const lines = (pending[stream] + text).split(/\r?\n|\r/);
      pending[stream] = final ? '' : lines.pop()!;
      for (let line of lines) {
        if (line.trim() === '') continue;
        line = redactText(line);
        tail = `${tail}${line}\n`.slice(-limit);
        step.sink(stream === 'stderr' ? 'warn' : 'info', line, { stream });
      }
    };
    child.stdout.setEncoding('utf8').on('data', (t: string) => take('stdout', t, false));
    child.stderr.setEncoding('utf8').on('data', (t: string) => take('stderr', t, false));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new DependencyError(shown, null, `${error.message}\n`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      take('stdout', '', true);
      take('stderr', '', true);
      if (code === 0) resolve();
      else reject(new DependencyError(shown, code ?? null, signal ? `${tail}killed by ${signal}\n` : tail));
    });
  });
}
