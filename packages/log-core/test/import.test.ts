import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';

const run = promisify(execFile);

describe('import', () => {
  it('has no side effects: no listeners, no files, environment read only on request', async () => {
    const tmp = await tempDir();
    try {
      const { stdout } = await run(process.execPath, [path.join(import.meta.dirname, 'fixtures/import-only.mjs')], {
        cwd: tmp.path,
        env: { ...process.env, PACTOWN_LOG_LEVEL: 'DEBUG', PACTOWN_LOG_LEVELS: 'pactown=TRACE' },
      });
      const result = JSON.parse(stdout);
      expect(result.after).toEqual(result.before);
      expect(result.rootLevel).toBe(40);
      expect(result.handlers).toBe(0);
    } finally {
      await tmp.remove();
    }
  });

  it('loads from CommonJS too', async () => {
    const { stdout } = await run(process.execPath, [
      '-e',
      `const c = require(${JSON.stringify(path.join(import.meta.dirname, '..', 'dist', 'index.cjs'))}); process.stdout.write(typeof c.getLogger('x').setLevel)`,
    ]);
    expect(stdout).toBe('function');
  });
});
