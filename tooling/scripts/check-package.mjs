#!/usr/bin/env node
// A package's `check-package`: packs it as pnpm would publish it, then checks
// that tarball, not the folder: publint (strict), arethetypeswrong with its
// default profile, the LICENSE, and no `workspace:` range left in it.
// Needs no global pnpm: it uses the pnpm that runs the script, else npx.
// Run from the package folder: `node ../../tooling/scripts/check-package.mjs`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageManager, packTo, tarList, tarRead } from './pack.mjs';

const pkgDir = process.cwd();
const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
const bin = (name) => path.join(pkgDir, 'node_modules', '.bin', name);
const problems = [];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pactown-check-package-'));
try {
  const tarball = packTo(pkgDir, tmp, packageManager());
  const files = tarList(tarball);

  if (!files.includes('package/LICENSE'))
    problems.push('LICENSE is not in the tarball (pnpm packs the root LICENSE when the package folder has none)');
  else if (tarRead(tarball, 'package/LICENSE') !== readFileSync(path.join(root, 'LICENSE'), 'utf8'))
    problems.push('the LICENSE in the tarball differs from the root LICENSE');
  if (pkg.license !== 'MIT') problems.push(`package.json license is ${JSON.stringify(pkg.license)}, not "MIT"`);

  const packed = JSON.parse(tarRead(tarball, 'package/package.json'));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(packed[field] ?? {})) {
      if (String(range).startsWith('workspace:') || String(range).startsWith('catalog:'))
        problems.push(`${field}.${name} is still ${range} in the tarball`);
    }
  }

  const run = (label, file, args) => {
    try {
      execFileSync(file, args, { cwd: pkgDir, stdio: 'inherit' });
    } catch {
      problems.push(`${label} failed (see above)`);
    }
  };
  run('publint', bin('publint'), ['run', tarball, '--strict']);
  // The default profile checks node10, node16 (CJS and ESM) and bundler resolution.
  run('arethetypeswrong', bin('attw'), [tarball, '--format', 'ascii', '--no-color']);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (problems.length > 0) {
  for (const p of problems) console.error(`check-package ${pkg.name}: ${p}`);
  process.exit(1);
}
console.log(`check-package ${pkg.name}: ok (publint --strict, arethetypeswrong default profile, LICENSE)`);
