import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('pino children', () => {
  it('are not held by their parent: dropped children are collected, live ones still follow level changes', async () => {
    const { stdout } = await run(process.execPath, [
      '--expose-gc',
      path.join(import.meta.dirname, 'fixtures/children-gc.mjs'),
    ]);
    const result = JSON.parse(stdout);
    expect(result.keptFollows).toBe(true);
    expect(result.alive).toBeLessThan(100);
  });
});
