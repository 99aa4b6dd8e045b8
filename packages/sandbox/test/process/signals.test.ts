import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { type ServiceProcess, startService } from '../../src/index.js';
import { fixture } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

/** Starts the sleeper and resolves once it printed "ready". */
async function readySleeper(commandLine?: string): Promise<ServiceProcess> {
  const proc = commandLine
    ? startService({ isolation: 'none', serviceId: 'sig', command: commandLine, cwd: dir.path })
    : startService({
        isolation: 'none',
        serviceId: 'sig',
        command: 'python3',
        args: [fixture('sleeper.py')],
        cwd: dir.path,
      });
  const result = await proc.waitReady({ pattern: /^ready$/, timeoutMs: 30_000 });
  expect(result.ready).toBe(true);
  return proc;
}

describe('every signal path, with real processes', () => {
  it('SIGTERM from outside: killed, with the seed message', async () => {
    const proc = await readySleeper();
    process.kill(proc.pid!, 'SIGTERM');
    const report = await proc.ended;
    expect(report.exit).toMatchObject({ code: -15, signal: 'SIGTERM', description: 'Termination', forced: false });
    expect(report.message).toBe('Process killed by SIGTERM (exit code: -15)');
    expect(report.category).toBe('killed');
  });

  it('SIGKILL from outside: killed, forced', async () => {
    const proc = await readySleeper();
    process.kill(proc.pid!, 'SIGKILL');
    const report = await proc.ended;
    expect(report.exit).toMatchObject({ code: -9, signal: 'SIGKILL', description: 'Forced termination', forced: true });
    expect(report.category).toBe('killed');
    expect(report.suggestions[0]!.description).toContain('out-of-memory');
  });

  it('SIGSEGV: a program that really segfaults', async () => {
    const report = await startService({
      isolation: 'none',
      serviceId: 'segv',
      command: 'python3',
      args: [fixture('segfault.py')],
      cwd: dir.path,
    }).ended;
    expect(report.exit).toMatchObject({ code: -11, signal: 'SIGSEGV', description: 'Segmentation fault' });
    expect(report.category).toBe('process_crash');
    expect(report.stdoutTail).toContain('about to crash');
  });

  it('SIGABRT: os.abort()', async () => {
    const report = await startService({
      isolation: 'none',
      serviceId: 'abrt',
      command: 'python3',
      args: [fixture('abort.py')],
      cwd: dir.path,
    }).ended;
    expect(report.exit).toMatchObject({ code: -6, signal: 'SIGABRT' });
    expect(report.message).toBe('Process killed by SIGABRT (exit code: -6)');
    expect(report.category).toBe('process_crash');
  });

  it('through a shell that stays: 139 is read as SIGSEGV', async () => {
    const proc = startService({
      isolation: 'none',
      serviceId: 'shell',
      command: `python3 ${fixture('segfault.py')}; exit $?`,
      cwd: dir.path,
    });
    expect(proc.viaShell).toBe(true);
    const report = await proc.ended;
    expect(report.exit).toMatchObject({ code: -11, exitCode: 139, signal: 'SIGSEGV', viaShell: true });
    expect(report.message).toBe('Process killed by SIGSEGV (exit code: -11)');
  });

  it("a shell command is exec'd: the PID is the service's and a signal is seen directly", async () => {
    const proc = await readySleeper(`PYTHONDONTWRITEBYTECODE=1 python3 ${fixture('sleeper.py')} \${NO_SUCH_VAR:-}`);
    expect(proc.viaShell).toBe(false);
    const { readFile } = await import('node:fs/promises');
    const cmdline = (await readFile(`/proc/${proc.pid}/cmdline`, 'utf8')).split('\0');
    expect(cmdline[0]).toMatch(/python3/);
    process.kill(proc.pid!, 'SIGTERM');
    const report = await proc.ended;
    expect(report.exit).toMatchObject({ signal: 'SIGTERM', exitCode: null, viaShell: false });
  });

  it('a stop by us is category none', async () => {
    const proc = await readySleeper();
    const report = await proc.stop();
    expect(report.exit.signal).toBe('SIGTERM');
    expect(report.category).toBe('none');
    expect(report.suggestions).toEqual([]);
  });
});
