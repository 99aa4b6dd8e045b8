#!/usr/bin/env node
// Runs every ts/js code block of each package README against the built
// packages, as a user would paste it: each block is its own module, imports
// the package by name, and must finish with exit code 0 within the time limit.
//
// A block runs from a hidden temp folder inside its package (so that
// `@pactown/<name>` resolves to the package itself and its dependencies to
// the package's own), with a fresh temp folder as its working directory and
// PACTOWN_LOG_DIR. A block that cannot run alone (it shows a fragment of a
// larger program) is marked on the line before it with
// `<!-- readme-example: skip (why) -->`; skipped blocks are listed.
//
// Usage: node tooling/scripts/check-readme-examples.mjs [package-folder ...]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const TIMEOUT_MS = Number(process.env.README_EXAMPLE_TIMEOUT_MS ?? 30_000);
const FENCE = /^```(ts|typescript|js|javascript|mjs)\s*$/;
const SKIP = /<!--\s*readme-example:\s*skip\b(.*?)-->/;

/**
 * Packages whose README examples are known not to run yet, with the reason:
 * their failures are printed but do not fail the check. Empty: every example
 * of every package runs. The check says when an entry can go.
 */
const PENDING = new Map();

/** The runnable blocks of a README, with the line each starts on. */
export function extractBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const m = FENCE.exec(lines[i]);
    if (!m) continue;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    let before = i - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const skip = before >= 0 ? SKIP.exec(lines[before]) : null;
    blocks.push({
      line: i + 1,
      lang: m[1],
      code: lines.slice(i + 1, end).join('\n'),
      skip: skip ? skip[1].trim().replace(/^\((.*)\)$/, '$1') || 'marked' : null,
    });
    i = end;
  }
  return blocks;
}

function runBlock(pkgDir, block) {
  const tsx = path.join(pkgDir, 'node_modules', '.bin', 'tsx');
  const ts = block.lang === 'ts' || block.lang === 'typescript';
  if (ts && !existsSync(tsx))
    return Promise.resolve({ ok: false, output: `no tsx in ${pkgDir}/node_modules/.bin (add it to devDependencies)` });
  const home = mkdtempSync(path.join(pkgDir, '.readme-example-'));
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'pactown-readme-example-'));
  const file = path.join(home, `example-${block.line}.${ts ? 'mts' : 'mjs'}`);
  writeFileSync(file, `${block.code}\n`);
  const [cmd, args] = ts ? [tsx, [file]] : [process.execPath, [file]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, PACTOWN_LOG_DIR: path.join(cwd, 'logs'), NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[timed out after ${TIMEOUT_MS} ms]`;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(home, { recursive: true, force: true });
      rmSync(cwd, { recursive: true, force: true });
      resolve({ ok: code === 0, output: output.trim(), code, signal });
    });
  });
}

async function main() {
  const args = process.argv.slice(2);
  const dirs =
    args.length > 0
      ? args.map((a) => path.resolve(a))
      : readdirSync(path.join(root, 'packages'))
          .map((n) => path.join(root, 'packages', n))
          .filter((d) => existsSync(path.join(d, 'README.md')));
  let failed = 0;
  let pending = 0;
  let ran = 0;
  const skipped = [];
  for (const dir of dirs) {
    const readme = path.join(dir, 'README.md');
    const rel = path.relative(root, readme);
    const owner = PENDING.get(path.basename(dir));
    let failedHere = 0;
    for (const block of extractBlocks(readFileSync(readme, 'utf8'))) {
      if (block.skip) {
        skipped.push(`${rel}:${block.line} (${block.skip})`);
        continue;
      }
      ran++;
      const started = Date.now();
      const result = await runBlock(dir, block);
      const ms = Date.now() - started;
      if (result.ok) console.log(`ok   ${rel}:${block.line} (${ms} ms)`);
      else {
        failedHere++;
        const label = owner ? `PENDING (${owner})` : 'FAIL';
        console.log(
          `${label} ${rel}:${block.line} (exit ${result.code ?? result.signal}, ${ms} ms)\n${result.output.replace(/^/gm, '     ')}`,
        );
      }
    }
    if (owner && failedHere === 0)
      console.log(
        `note ${rel}: every example runs now; remove '${path.basename(dir)}' from PENDING in tooling/scripts/check-readme-examples.mjs`,
      );
    if (owner) pending += failedHere;
    else failed += failedHere;
  }
  for (const s of skipped) console.log(`skip ${s}`);
  console.log(
    `README examples: ${ran - failed - pending} of ${ran} ran, ${failed} failed, ${pending} pending, ${skipped.length} skipped`,
  );
  if (failed > 0) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
