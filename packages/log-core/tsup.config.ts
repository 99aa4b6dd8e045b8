import { definePackageConfig } from '@pactown/tsup-config';
import { defineConfig } from 'tsup';

export default defineConfig(definePackageConfig({ entry: ['src/index.ts', 'src/cli.ts'] }));
