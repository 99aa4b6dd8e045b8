import { definePackageConfig } from '@pactown/tsup-config';
import { defineConfig } from 'tsup';

// The CLI's shebang line sits in src/cli.ts; esbuild keeps it at the top of the bundle.
export default defineConfig(definePackageConfig({ entry: ['src/index.ts', 'src/cli.ts'] }));
