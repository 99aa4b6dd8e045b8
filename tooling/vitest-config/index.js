import { defineConfig, mergeConfig } from 'vitest/config';

// Tests here start real processes, servers and worker threads, so timeouts are
// generous and test files run in forked processes (a crash stays in its file).
const preset = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});

/**
 * The shared test preset merged with a package's own settings.
 * @param {import('vitest/config').UserConfig} [overrides]
 */
export function definePackageTestConfig(overrides = {}) {
  return mergeConfig(preset, overrides);
}
