/**
 * One listing in a fresh process (the cost a `pactown-errors list` call pays):
 * `tsx bench/list-once.ts <dir> index|no-index|stat` prints `{ ms, cpuMs, entries }`.
 * `stat` is the floor: `readdir` and `lstat` of every file, nothing read.
 */
import { lstatSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { listErrorFilesFrom } from '../src/read.js';

const [dir, mode] = process.argv.slice(2);
if (!dir || (mode !== 'index' && mode !== 'no-index' && mode !== 'stat'))
  throw new Error('usage: list-once.ts <dir> index|no-index|stat');

async function statAll(folder: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const name of await readdir(folder)) out.push(lstatSync(path.join(folder, name)));
  return out;
}

const c0 = process.cpuUsage();
const t0 = performance.now();
const entries =
  mode === 'stat' ? await statAll(dir) : await listErrorFilesFrom(dir, { memory: true, index: mode === 'index' });
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000, entries: entries.length }));
