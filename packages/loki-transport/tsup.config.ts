import { definePackageConfig } from '@pactown/tsup-config';
import { defineConfig } from 'tsup';

// src/cli.ts starts with a shebang line, which the bundler keeps.
export default defineConfig(
  definePackageConfig({ entry: ['src/index.ts', 'src/winston.ts', 'src/log-core.ts', 'src/cli.ts'] }),
);
