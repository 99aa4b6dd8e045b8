#!/usr/bin/env node
// Enforces the import rules of ARCHITECTURE.md: which @pactown package may
// import which. Reads every source file's import specifiers and every
// package.json's runtime dependencies; exits 1 and names each violation.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** Runtime imports allowed from a package's `src/` (tests and benchmarks may also use the receiver). */
const allowed = {
  '@pactown/log-core': [],
  '@pactown/loki-receiver': [],
  '@pactown/sandbox': ['@pactown/log-core'],
  '@pactown/error-files': ['@pactown/log-core'],
  '@pactown/loki-transport': ['@pactown/log-core'],
};
const testOnly = ['@pactown/loki-receiver'];
// The private workspace tooling (tsconfig, tsup and vitest presets, bench harness) serves every package's build, tests and benchmarks.
const tooling = readdirSync(join(root, 'tooling'))
  .map((name) => join(root, 'tooling', name, 'package.json'))
  .filter((path) => existsSync(path))
  .map((path) => JSON.parse(readFileSync(path, 'utf8')).name);

// Private helpers the tsup preset bundles into each package (`noExternal`): any package's src may
// import them, since they are never a runtime dependency; the manifest check below keeps them out
// of dependencies, and check-publish proves no built file still imports them.
const presetText = readFileSync(join(root, 'tooling', 'tsup-config', 'index.js'), 'utf8');
const bundled = [...(/noExternal:\s*\[([^\]]*)\]/.exec(presetText)?.[1] ?? '').matchAll(/'([^']+)'|"([^"]+)"/g)].map(
  (m) => m[1] ?? m[2],
);

const importRe = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"](@pactown\/[a-z0-9-]+)/g;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(c|m)?[jt]sx?$/.test(name)) yield p;
  }
}

const problems = [];
for (const dir of readdirSync(join(root, 'packages'))) {
  const pkgDir = join(root, 'packages', dir);
  const manifestPath = join(pkgDir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const rules = allowed[manifest.name];
  if (!rules) {
    problems.push(
      `${manifest.name}: not listed in tooling/scripts/check-boundaries.mjs (add it to ARCHITECTURE.md first)`,
    );
    continue;
  }
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const dep of Object.keys(manifest[field] ?? {})) {
      if (dep.startsWith('@pactown/') && (!rules.includes(dep) || bundled.includes(dep))) {
        problems.push(`${manifest.name}: ${field} names ${dep}, which ARCHITECTURE.md does not allow`);
      }
    }
  }
  for (const sub of ['src', 'test', 'bench']) {
    const base = join(pkgDir, sub);
    if (!existsSync(base)) continue;
    for (const file of walk(base)) {
      const isTest = sub !== 'src' || /\.test(-d)?\.[jt]s$/.test(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const target = m[1];
        if (target === manifest.name) continue;
        if (
          rules.includes(target) ||
          bundled.includes(target) ||
          (isTest && (testOnly.includes(target) || tooling.includes(target)))
        )
          continue;
        problems.push(`${relative(root, file)}: imports ${target}, which ${manifest.name} may not import`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(`Package boundaries broken (see ARCHITECTURE.md):\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
console.log(
  `Package boundaries hold: log-core imports none of ours; sandbox, error-files and loki-transport import only log-core (and the bundled ${bundled.join(', ')}).`,
);
