import { definePackageConfig } from '@pactown/tsup-config';
import { defineConfig } from 'tsup';

// Two entries: the whole package, and the process layer alone (`@pactown/sandbox/process`).
export default defineConfig(definePackageConfig({ entry: { index: 'src/index.ts', process: 'src/process/index.ts' } }));
