import { definePackageConfig } from '@pactown/tsup-config';
import { defineConfig } from 'tsup';

// An app, not a library: ESM only, no declarations. Two builds: the Node
// entries, and the log page (browser bundle plus its static files in dist/web).
export default defineConfig([
  definePackageConfig({
    entry: { index: 'src/index.ts', server: 'src/bin/server.ts', demo: 'src/bin/demo.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    outExtension: () => ({ js: '.js' }),
  }),
  definePackageConfig({
    entry: { app: 'src/web/main.ts' },
    outDir: 'dist/web',
    format: ['esm'],
    platform: 'browser',
    target: 'es2022',
    dts: false,
    clean: false,
    publicDir: 'src/web/public',
    outExtension: () => ({ js: '.js' }),
  }),
]);
