import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseErrorFile } from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';
import { leftovers } from './support.js';

const writer = fileURLToPath(new URL('./fixtures/writer.mjs', import.meta.url));

function run(args: string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-conc-'));
});
afterEach(() => cleanup());

describe('concurrent writers in several processes', () => {
  it('every file is whole, readers never see a partial file, history count holds', async () => {
    const procs = 4;
    const each = 8;
    let finished = false;
    const all = Promise.all(Array.from({ length: procs }, (_, p) => run([dir, 'svc', `w${p}`, String(each)]))).finally(
      () => {
        finished = true;
      },
    );
    // Read the current file for as long as the writers run: each read is a whole file or none yet.
    let reads = 0;
    const base = path.join(dir, 'service_svc_error.log');
    while (!finished) {
      const text = await readFile(base, 'utf8').catch((error) =>
        error.code === 'ENOENT' ? undefined : Promise.reject(error),
      );
      if (text === undefined) continue;
      const r = parseErrorFile(text);
      expect(r.files).toEqual(['main.py']);
      expect(r.stderrTail).toMatch(/^w\d-\d+\nz{30000}\n$/);
      reads++;
    }
    expect(await all).toEqual(Array(procs).fill(0));
    expect(reads).toBeGreaterThan(0);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['service_svc_error.log', ...[1, 2, 3, 4, 5].map((i) => `service_svc_error.log.${i}`)]);
    expect(await leftovers(dir)).toEqual([]);
    const tags = new Set<string>();
    for (const name of names) {
      const r = parseErrorFile(await readFile(path.join(dir, name), 'utf8'));
      expect(r.format).toBe('pactown');
      tags.add(r.stderrTail.split('\n')[0]!);
    }
    expect(tags.size).toBe(6);
  });
});
