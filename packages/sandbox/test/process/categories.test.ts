import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdPort, tempDir } from '@pactown/test-helpers';
import { type DiedReport, type StartOptions, startService } from '../../src/index.js';
import { collector, fixture } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

async function runToEnd(
  command: string,
  args: string[] | undefined,
  extra: Partial<StartOptions> = {},
): Promise<DiedReport> {
  const proc = startService({ isolation: 'none', serviceId: 'cat-test', command, args, cwd: dir.path, ...extra });
  return proc.ended;
}
const py = (name: string, ...rest: string[]) => runToEnd('python3', [fixture(name), ...rest]);
const node = (name: string, ...rest: string[]) => runToEnd(process.execPath, [fixture(name), ...rest]);
const actions = (r: DiedReport) => r.suggestions.map((s) => s.action);

describe('failure categories from real Python programs', () => {
  it("dependency: the seed's missing_module, with the module named", async () => {
    const log = collector();
    const report = await runToEnd('python3', [fixture('seed_main.py')], { onLog: log.onLog });
    expect(report.category).toBe('dependency');
    expect(report.stderrTail).toContain("ModuleNotFoundError: No module named 'missing_module'");
    expect(report.suggestions[0]).toMatchObject({
      action: 'add_dependency',
      description: "Add 'missing_module' to the dependencies",
    });
    expect(report.exit.message).toBe('Process exited with code: 1');
    expect(log.messages()).toContain('❌ Process exited with code: 1');
  });

  it('syntax: names the file and line', async () => {
    const report = await py('syntax_error.py');
    expect(report.category).toBe('syntax');
    expect(report.suggestions[0]!.description).toMatch(/syntax_error\.py line 4/);
  });

  it('port_conflict: names the port and the command to free it', async () => {
    const held = await holdPort();
    try {
      const report = await runToEnd('python3', [fixture('port_conflict.py')], {
        env: { PORT: held.port },
        port: held.port,
      });
      expect(report.category).toBe('port_conflict');
      expect(report.suggestions[0]).toMatchObject({
        action: 'kill_port_process',
        command: `fuser -k ${held.port}/tcp`,
      });
      expect(report.suggestions[0]!.description).toBe(
        `Port ${held.port} is in use: \`fuser -k ${held.port}/tcp\` or pick another port`,
      );
    } finally {
      await held.close();
    }
  });

  it('environment: names the missing variable', async () => {
    const report = await py('missing_env.py');
    expect(report.category).toBe('environment');
    expect(report.suggestions[0]!.description).toBe("Set DATABASE_URL in the service's environment");
  });

  it('out_of_memory: MemoryError', async () => {
    const report = await py('memory_error.py');
    expect(report.category).toBe('out_of_memory');
    expect(actions(report)).toContain('reduce_memory');
  });

  it('permission: PermissionError running a file without execute permission', async () => {
    const report = await py('permission.py', fixture('not_executable.sh'));
    expect(report.category).toBe('permission');
    expect(report.stderrTail).toContain('PermissionError');
    expect(report.suggestions[0]!.description).toContain('not_executable.sh');
  });

  it('dependency: an installer failure (pip, no index reachable needed)', async () => {
    const report = await runToEnd('python3', [
      '-m',
      'pip',
      'install',
      '--no-index',
      '--disable-pip-version-check',
      'pactown-no-such-package',
    ]);
    expect(report.category).toBe('dependency');
    expect(report.suggestions[0]!.description).toContain('pactown-no-such-package');
  });

  it('process_crash: an uncaught exception, quoting the last error line', async () => {
    const report = await py('crash.py');
    expect(report.category).toBe('process_crash');
    expect(report.suggestions[0]!.description).toContain('RuntimeError: the service could not load its configuration');
  });
});

describe('failure categories from real Node programs', () => {
  it('dependency: ESM import of a missing package', async () => {
    const report = await node('missing_package.mjs');
    expect(report.category).toBe('dependency');
    expect(report.suggestions[0]!.description).toBe("Add 'missing-express-like-package' to the dependencies");
  });

  it('dependency: require() of a missing package names the package, not the subpath', async () => {
    const report = await node('missing_module.cjs');
    expect(report.category).toBe('dependency');
    expect(report.suggestions[0]!.command).toBe('npm install left-pad-that-is-missing');
  });

  it('syntax: names the file and line', async () => {
    const file = join(dir.path, 'server.mjs');
    await copyFile(fixture('syntax_error.mjs.txt'), file);
    const report = await runToEnd(process.execPath, [file]);
    expect(report.category).toBe('syntax');
    expect(report.suggestions[0]!.description).toMatch(/server\.mjs line 2/);
  });

  it('port_conflict: EADDRINUSE', async () => {
    const held = await holdPort();
    try {
      const report = await runToEnd(process.execPath, [fixture('port_conflict.mjs')], { env: { PORT: held.port } });
      expect(report.category).toBe('port_conflict');
      expect(report.suggestions[0]!.command).toBe(`fuser -k ${held.port}/tcp`);
    } finally {
      await held.close();
    }
  });

  it('environment: a missing required variable', async () => {
    const report = await node('missing_env.mjs');
    expect(report.category).toBe('environment');
    expect(report.suggestions[0]!.description).toContain('API_TOKEN');
  });

  it('out_of_memory: JavaScript heap out of memory', async () => {
    const report = await runToEnd(process.execPath, ['--max-old-space-size=16', fixture('heap_oom.mjs')]);
    expect(report.stderrTail).toContain('JavaScript heap out of memory');
    expect(report.category).toBe('out_of_memory');
  });

  it('dependency: a command that does not exist (spawn ENOENT, and 127 under a shell)', async () => {
    const direct = await runToEnd('pactown-no-such-command', ['--port', '1']);
    expect(direct.category).toBe('dependency');
    expect(direct.pid).toBeNull();
    expect(direct.suggestions[0]!.description).toContain('pactown-no-such-command');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, on purpose
    const shell = await runToEnd('pactown-no-such-command --port ${PORT:-1}', undefined);
    expect(shell.exit.exitCode).toBe(127);
    expect(shell.category).toBe('dependency');
  });

  it('permission: spawning a file without execute permission (EACCES)', async () => {
    const report = await runToEnd(fixture('not_executable.sh'), []);
    expect(report.category).toBe('permission');
  });

  it('process_crash: exit code 0 from a service that should keep running', async () => {
    const report = await runToEnd(process.execPath, ['-e', 'console.log("done")']);
    expect(report.category).toBe('process_crash');
  });
});
