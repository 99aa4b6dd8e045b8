// Packing helpers shared by check-package.mjs and check-publish.mjs.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PNPM = 'pnpm@10.34.8';

/**
 * How to run pnpm: the pnpm that runs this script (`pnpm run check-package`
 * sets npm_execpath), else the pinned version through npx, so that no global
 * pnpm is needed.
 */
export function packageManager() {
  const exec = process.env.npm_execpath ?? '';
  if (/pnpm(\.c?js)?$/.test(path.basename(exec)) && (process.env.npm_config_user_agent ?? '').startsWith('pnpm/')) {
    return { file: process.execPath, args: [exec] };
  }
  return { file: 'npx', args: ['-y', PNPM] };
}

/** The tarball name pnpm and npm give a package: `@scope/name` 1.2.3 -> `scope-name-1.2.3.tgz`. */
export function tarballName(pkg) {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

/** Packs `pkgDir` with pnpm (workspace: and catalog: ranges replaced) into `dest`; returns the tarball path. */
export function packTo(pkgDir, dest, pm = packageManager()) {
  const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  execFileSync(pm.file, [...pm.args, 'pack', '--pack-destination', dest], {
    cwd: pkgDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return path.join(dest, tarballName(pkg));
}

/** The paths inside a tarball (`package/...`). */
export function tarList(tarball) {
  return execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** One file of a tarball as text. */
export function tarRead(tarball, file) {
  return execFileSync('tar', ['-xzOf', tarball, file], { encoding: 'utf8' });
}
