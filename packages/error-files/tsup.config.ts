import { definePackageConfig } from '@pactown/tsup-config';
import { defineConfig } from 'tsup';

// Two builds writing to one dist/: each cleans only its own files.
export default defineConfig([
  definePackageConfig({ clean: ['index.*'] }),
  definePackageConfig({
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    clean: ['cli.*'],
    banner: { js: '#!/usr/bin/env node' },
  }),
]);
