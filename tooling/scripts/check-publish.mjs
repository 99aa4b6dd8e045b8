#!/usr/bin/env node
// Proves every package can be published and used alone: packs each package
// as `pnpm publish` would, then installs each tarball by itself in a fresh
// npm project (with only its peer dependencies: ours from their tarballs,
// others from the npm registry, preferring npm's cache), and there imports
// every export as ESM and as CommonJS and runs every bin with `--help`.
//
// Usage: node tooling/scripts/check-publish.mjs [--keep]   (after `pnpm build`)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageManager, packTo } from './pack.mjs';

const root = new URL('../..', import.meta.url).pathname;
const keep = process.argv.includes('--keep');
const npmFlags = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', '--no-package-lock'];

const packages = readdirSync(path.join(root, 'packages'))
  .map((name) => path.join(root, 'packages', name))
  .filter((dir) => existsSync(path.join(dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

const work = mkdtempSync(path.join(os.tmpdir(), 'pactown-check-publish-'));
const failures = [];

function sh(file, args, cwd) {
  return execFileSync(file, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
}

/** Runs `fn`, recording a failure with the command's output instead of stopping. */
function check(label, fn) {
  const started = Date.now();
  try {
    fn();
    console.log(`ok   ${label} (${Date.now() - started} ms)`);
  } catch (error) {
    const out = [error.stdout, error.stderr, error.stdout || error.stderr ? '' : error.message]
      .filter(Boolean)
      .join('\n')
      .trim();
    failures.push(label);
    console.log(`FAIL ${label}\n${out.replace(/^/gm, '     ')}`);
  }
}

try {
  const tarballs = path.join(work, 'tarballs');
  mkdirSync(tarballs);
  const pm = packageManager();
  const packed = new Map();
  for (const { dir, pkg } of packages) check(`pack ${pkg.name}`, () => packed.set(pkg.name, packTo(dir, tarballs, pm)));

  for (const { pkg } of packages) {
    const tarball = packed.get(pkg.name);
    if (!tarball) continue;
    const project = path.join(work, pkg.name.replace(/^@/, '').replace('/', '-'));
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'package.json'),
      `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`,
    );
    // Its peers, optional ones included (they serve its subpaths): ours from the tarballs, the rest by range.
    const peers = Object.entries(pkg.peerDependencies ?? {}).map(([name, range]) => {
      if (packed.has(name)) return packed.get(name);
      const catalog = readFileSync(path.join(root, 'pnpm-workspace.yaml'), 'utf8').match(
        new RegExp(`^\\s+"?${name.replace('/', '\\/')}"?:\\s*(\\S+)`, 'm'),
      );
      return `${name}@${range === 'catalog:' && catalog ? catalog[1] : range}`;
    });
    check(
      `install ${pkg.name} alone${peers.length ? ` (+ ${Object.keys(pkg.peerDependencies).join(', ')})` : ''}`,
      () => {
        sh('npm', ['install', ...npmFlags, tarball, ...peers], project);
      },
    );
    const entries = Object.keys(pkg.exports ?? { '.': {} })
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? pkg.name : `${pkg.name}/${k.slice(2)}`));
    for (const spec of entries) {
      check(`import ${spec} (ESM)`, () => {
        const code = `const m = await import(${JSON.stringify(spec)}); const n = Object.keys(m).length; if (n === 0) throw new Error('no exports'); console.log(n);`;
        sh(process.execPath, ['--input-type=module', '-e', code], project);
      });
      check(`require ${spec} (CJS)`, () => {
        const code = `const m = require(${JSON.stringify(spec)}); const n = Object.keys(m).length; if (n === 0) throw new Error('no exports'); console.log(n);`;
        sh(process.execPath, ['-e', code], project);
      });
      check(`same named exports from ESM and CJS: ${spec}`, () => {
        const esm = sh(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `console.log(JSON.stringify(Object.keys(await import(${JSON.stringify(spec)})).filter((k) => k !== 'module.exports').sort()))`,
          ],
          project,
        );
        const cjs = sh(
          process.execPath,
          ['-e', `console.log(JSON.stringify(Object.keys(require(${JSON.stringify(spec)})).sort()))`],
          project,
        );
        if (esm.trim() !== cjs.trim()) throw new Error(`ESM ${esm.trim()}\nCJS ${cjs.trim()}`);
      });
    }
    for (const bin of Object.keys(
      typeof pkg.bin === 'string' ? { [pkg.name.split('/').pop()]: pkg.bin } : (pkg.bin ?? {}),
    )) {
      check(`bin ${bin} --help`, () => {
        sh(path.join(project, 'node_modules', '.bin', bin), ['--help'], project);
      });
    }
  }
} finally {
  if (keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.log(`check-publish: ${failures.length} failed: ${failures.join('; ')}`);
  process.exit(1);
}
console.log(`check-publish: every package installs alone and loads as ESM and CJS (${packages.length} packages)`);
