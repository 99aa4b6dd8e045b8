#!/usr/bin/env node
// The first release: `changeset version`, then every published package at
// FIRST_VERSION. Changesets bumps a package whose peer dependency leaves the
// peer range to a new major; at the first release every `workspace:^` peer on
// log-core reads as `^0.0.0`, which log-core's 0.1.0 leaves, so sandbox,
// error-files and loki-transport would come out as 1.0.0 although nothing was
// ever published. This script sets them (and their CHANGELOG headings) to
// FIRST_VERSION and prints the plan.
//
// Usage: node tooling/scripts/first-release.mjs [--dry-run]
//   --dry-run  works on a temporary copy of the committed tree and changes nothing here.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const FIRST_VERSION = '0.1.0';
const root = new URL('../..', import.meta.url).pathname;
const dryRun = process.argv.includes('--dry-run');
const changeset = path.join(root, 'node_modules', '.bin', 'changeset');

function published(dir) {
  const dirs = readdirSync(path.join(dir, 'packages')).map((n) => path.join(dir, 'packages', n));
  return dirs
    .filter((d) => existsSync(path.join(d, 'package.json')))
    .filter((d) => !JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).private);
}

function versionsIn(dir) {
  return new Map(
    published(dir).map((d) => [
      JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).name,
      JSON.parse(readFileSync(path.join(d, 'package.json'), 'utf8')).version,
    ]),
  );
}

let work = root;
if (dryRun) {
  work = mkdtempSync(path.join(os.tmpdir(), 'pactown-first-release-'));
  // The committed tree plus the changesets not yet committed, as a git repository of its own.
  execFileSync('bash', [
    '-c',
    `git -C "${root}" archive HEAD | tar -x -C "${work}" && cp "${root}"/.changeset/*.md "${work}/.changeset/"`,
  ]);
  execFileSync('git', ['init', '-q'], { cwd: work });
  execFileSync('git', ['add', '-A'], { cwd: work });
  execFileSync('git', ['-c', 'user.email=release@localhost', '-c', 'user.name=release', 'commit', '-qm', 'tree'], {
    cwd: work,
  });
}

try {
  const before = versionsIn(work);
  const pending = readdirSync(path.join(work, '.changeset')).filter((n) => n.endsWith('.md') && n !== 'README.md');
  for (const [name, version] of before) {
    if (version !== '0.0.0')
      throw new Error(`${name} is at ${version}: this is not the first release; use \`pnpm version-packages\`.`);
  }
  execFileSync(changeset, ['version'], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  const rows = [];
  for (const dir of published(work)) {
    const file = path.join(dir, 'package.json');
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    const proposed = pkg.version;
    if (proposed !== '0.0.0' && proposed !== FIRST_VERSION) {
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(`"version": "${proposed}"`, `"version": "${FIRST_VERSION}"`),
      );
      const log = path.join(dir, 'CHANGELOG.md');
      if (existsSync(log))
        writeFileSync(log, readFileSync(log, 'utf8').replace(`\n## ${proposed}\n`, `\n## ${FIRST_VERSION}\n`));
    }
    const log = path.join(dir, 'CHANGELOG.md');
    const heading = existsSync(log) ? /\n## (\S+)\n/.exec(readFileSync(log, 'utf8'))?.[1] : undefined;
    rows.push([pkg.name, proposed, JSON.parse(readFileSync(file, 'utf8')).version, heading ?? '(no CHANGELOG)']);
  }
  console.log(`${pending.length} changesets consumed${dryRun ? ' (dry run, nothing changed here)' : ''}`);
  console.log('package                  changesets proposed  released  CHANGELOG');
  for (const r of rows) console.log(`${r[0].padEnd(25)}${r[1].padEnd(20)}${r[2].padEnd(10)}${r[3]}`);
  const wrong = rows.filter((r) => r[2] !== FIRST_VERSION || r[3] !== FIRST_VERSION);
  if (wrong.length > 0) {
    console.error(
      `not at ${FIRST_VERSION} with a CHANGELOG: ${wrong.map((r) => r[0]).join(', ')} (a package without a changeset is not released)`,
    );
    process.exitCode = 1;
  }
} finally {
  if (dryRun) rmSync(work, { recursive: true, force: true });
}
