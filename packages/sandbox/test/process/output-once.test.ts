import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { memoryLogger } from './helpers.js';

const run = promisify(execFile);
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'process', 'onlog-prints.ts');
const TSX = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe('what a program sees once', () => {
  it('with no log-core handler, an error record that onLog prints is not printed again by the last resort', async () => {
    const { stdout, stderr } = await run(TSX, [FIXTURE, '1'], { cwd: dir.path, timeout: 60_000 });
    const all = `${stdout}\n${stderr}`;
    expect(stdout).toContain('[ERROR] ❌ Process exited with code: 1');
    expect(all.split('Process exited with code: 1').length - 1).toBe(1);
  }, 90_000);

  it('reports a clean exit (code 0) as INFO without ❌', async () => {
    const { logger, records } = memoryLogger();
    const seen: Array<[string, string]> = [];
    const proc = startService({
      serviceId: 'clean',
      command: process.execPath,
      args: ['-e', '0'],
      cwd: dir.path,
      logger,
      onLog: (r) => seen.push([r.levelName, r.message]),
    });
    const report = await proc.ended;
    expect(report.exit.exitCode).toBe(0);
    expect(seen).toContainEqual(['INFO', 'Process exited with code: 0']);
    expect(seen.some(([, m]) => m.startsWith('❌'))).toBe(false);
    expect(records.some((r) => String(r.msg).includes('❌'))).toBe(false);
    // A failure still is one.
    const failed = startService({
      serviceId: 'fails',
      command: process.execPath,
      args: ['-e', 'process.exit(3)'],
      cwd: dir.path,
      logger,
      onLog: (r) => seen.push([r.levelName, r.message]),
    });
    await failed.ended;
    expect(seen).toContainEqual(['ERROR', '❌ Process exited with code: 3']);
  });
});
