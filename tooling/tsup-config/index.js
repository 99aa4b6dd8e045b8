// Plain JavaScript on purpose: tsup loads its config with Node's own loader, and
// workspace packages are not transpiled on the way.

/** @type {import('tsup').Options} */
const preset = {
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
  shims: false,
  // Private workspace helpers are bundled into each package, never installed.
  noExternal: ['@pactown/options'],
};

/**
 * The shared preset, with per-package overrides (extra entries, banners).
 * @param {import('tsup').Options} [overrides]
 * @returns {import('tsup').Options}
 */
export function definePackageConfig(overrides = {}) {
  return { ...preset, ...overrides };
}
