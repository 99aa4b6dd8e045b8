// The published types as a consumer sees them: the package installed under
// node_modules, compiled with strict TypeScript under each module setting users pick.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type TempDir, tempDir } from '@pactown/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(pkg, 'node_modules', 'typescript', 'bin', 'tsc');
let tmp: TempDir;
let dir: string;

beforeAll(async () => {
  tmp = await tempDir('loki-types-');
  dir = tmp.path;
  await fs.mkdir(path.join(dir, 'node_modules', '@pactown'), { recursive: true });
  await fs.symlink(pkg, path.join(dir, 'node_modules', '@pactown', 'loki-transport'), 'dir');
  await fs.copyFile(path.join(pkg, 'test', 'types', 'consumer.ts'), path.join(dir, 'consumer.ts'));
});
afterAll(async () => {
  await tmp.remove();
});

const settings: Record<string, { module: string; moduleResolution?: string }> = {
  'module commonjs (node10 resolution)': { module: 'commonjs' },
  'moduleResolution node10': { module: 'commonjs', moduleResolution: 'node10' },
  'module node16': { module: 'node16', moduleResolution: 'node16' },
  'moduleResolution bundler': { module: 'esnext', moduleResolution: 'bundler' },
};

describe('the types resolve for a consumer, strict', () => {
  for (const [name, compilerOptions] of Object.entries(settings)) {
    it(name, async () => {
      const config = path.join(
        dir,
        `tsconfig.${compilerOptions.module}.${compilerOptions.moduleResolution ?? 'default'}.json`,
      );
      const typeRoots = [path.join(pkg, 'node_modules', '@types')];
      await fs.writeFile(
        config,
        JSON.stringify({
          compilerOptions: {
            ...compilerOptions,
            strict: true,
            noEmit: true,
            skipLibCheck: true,
            target: 'es2022',
            types: ['node'],
            typeRoots,
          },
          files: ['consumer.ts'],
        }),
      );
      const run = await promisify(execFile)(process.execPath, [tsc, '-p', config], { cwd: dir }).then(
        () => ({ code: 0, out: '' }),
        (err: { code: number; stdout: string }) => ({ code: err.code, out: err.stdout }),
      );
      expect(run.out).toBe('');
      expect(run.code).toBe(0);
    }, 60_000);
  }
});
