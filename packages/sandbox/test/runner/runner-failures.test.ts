import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, freePort, tempDir } from '@pactown/test-helpers';
import { ServiceRunner } from '../../src/runner/service-runner.js';
import { fixture } from './helpers.js';

let root: string;
let rootDir: TempDir;
let server: string;
beforeAll(async () => {
  rootDir = await tempDir('pactown-runner-fail-');
  root = rootDir.path;
  server = await fixture('node-server.md');
});
afterAll(async () => {
  await rootDir.remove();
});

describe('runner failure categories before the service runs', () => {
  it('permission: a sandboxes folder that cannot be written', async () => {
    // sysfs refuses new folders even to root (EPERM); to anyone else it is EACCES.
    const runner = new ServiceRunner({ sandboxesDir: '/sys/pactown-sandbox-test' });
    const result = await runner.runFromContent({ serviceId: 'perm', content: server, port: await freePort() });
    expect(result).toMatchObject({ success: false, errorCategory: 'permission', stderrOutput: '', pid: null });
    expect(result.suggestions.map((s) => s.action)).toContain('check_permissions');
    await runner.close();
  });

  it('environment: a runtime that is missing on the host', async () => {
    const runner = new ServiceRunner({
      sandboxesDir: join(root, 'env'),
      python: 'pactown-no-such-python3',
      cache: false,
    });
    const content = { files: { 'main.py': 'print(1)\n' }, run: 'python main.py' };
    const result = await runner.runFromContent({ serviceId: 'no-runtime', content, port: await freePort() });
    expect(result).toMatchObject({ success: false, errorCategory: 'environment', stderrOutput: '', pid: null });
    expect(result.suggestions.map((s) => s.action)).toContain('install_runtime');
    await runner.close();
  });

  it('unknown: an unexpected error (the sandboxes folder is a file)', async () => {
    const file = join(root, 'not-a-folder');
    await writeFile(file, '');
    const runner = new ServiceRunner({ sandboxesDir: file });
    const result = await runner.runFromContent({ serviceId: 'odd', content: server, port: await freePort() });
    expect(result).toMatchObject({ success: false, errorCategory: 'unknown', stderrOutput: '', pid: null });
    await runner.close();
  });

  it('rejects a bad port with a TypeError, before anything is written', async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'ports') });
    for (const port of [0, -1, 65_536, 1.5, Number.NaN, '8001' as unknown as number]) {
      await expect(runner.runFromContent({ serviceId: 'port', content: server, port })).rejects.toThrow(TypeError);
    }
    await expect(runner.runFromContent({ serviceId: 'port', content: server, port: 65_536 })).rejects.toThrow(/port/);
    await expect(readdir(join(root, 'ports'))).rejects.toThrow(/ENOENT/);
    await runner.close();
  });
});
