import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getLogger, rotatingFileHandler } from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';
import { uniqueName } from './helpers.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  tmp = await tempDir('log-core-rotate-');
});
afterEach(async () => {
  await tmp.remove();
});

const messageOnly = (r: { message: string }) => r.message;

async function readSet(filename: string, backups: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const suffix of ['', ...Array.from({ length: backups + 2 }, (_, i) => `.${i + 1}`)]) {
    try {
      out[path.basename(filename) + suffix] = await fs.readFile(filename + suffix, 'utf8');
    } catch {
      // absent
    }
  }
  return out;
}

/** Logs 40 lines of varying length through a 100-byte, 3-backup rotating handler; returns the lines and the files' contents. */
async function rollForty(filename: string): Promise<{ lines: string[]; ours: Record<string, string> }> {
  const lines = Array.from({ length: 40 }, (_, i) => `line ${String(i).padStart(2, '0')} ${'x'.repeat(i % 7)}`);
  const log = getLogger(uniqueName());
  log.setLevel('INFO');
  const h = rotatingFileHandler({ filename, maxBytes: 100, backupCount: 3, formatter: messageOnly });
  log.addHandler(h);
  for (const line of lines) log.info(line);
  await h.close();
  return { lines, ours: await readSet(filename, 3) };
}

describe('rotatingFileHandler', () => {
  it('rolls over like Python: active name kept, .1 newest, oldest dropped', async () => {
    const { lines, ours } = await rollForty(path.join(tmp.path, 'ours', 'sandbox.log'));
    expect(Object.keys(ours).sort()).toEqual(['sandbox.log', 'sandbox.log.1', 'sandbox.log.2', 'sandbox.log.3']);
    for (const text of Object.values(ours)) expect(Buffer.byteLength(text)).toBeLessThan(100);
    expect(ours['sandbox.log']!.trimEnd().split('\n').at(-1)).toBe(lines.at(-1));
  });

  it("matches CPython's RotatingFileHandler byte for byte", async (ctx) => {
    const probe = spawnSync('python3', ['--version']);
    if (probe.error !== undefined || probe.status !== 0) ctx.skip('python3 is not installed: nothing to compare with');
    const { lines, ours } = await rollForty(path.join(tmp.path, 'ours', 'sandbox.log'));
    const pyFile = path.join(tmp.path, 'python', 'sandbox.log');
    await fs.mkdir(path.dirname(pyFile));
    execFileSync('python3', [path.join(import.meta.dirname, 'fixtures/python-rotate.py'), pyFile, '100', '3'], {
      input: JSON.stringify(lines),
    });
    const python = await readSet(pyFile, 3);
    expect(Object.keys(python).sort()).toEqual(['sandbox.log', 'sandbox.log.1', 'sandbox.log.2', 'sandbox.log.3']);
    expect(ours).toEqual(python);
  });

  it('never rolls over with maxBytes 0', async () => {
    const filename = path.join(tmp.path, 'plain.log');
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    const h = rotatingFileHandler({ filename, maxBytes: 0, backupCount: 2, formatter: messageOnly });
    log.addHandler(h);
    for (let i = 0; i < 1000; i++) log.info(`line ${i}`);
    await h.close();
    expect(Object.keys(await readSet(filename, 2))).toEqual(['plain.log']);
  });

  it('under heavy concurrent writing, every line lands whole, in order, in exactly one file', async () => {
    const filename = path.join(tmp.path, 'busy.log');
    const producers = 8;
    const perProducer = 12_500;
    const backupCount = 200;
    const h = rotatingFileHandler({ filename, maxBytes: 64 * 1024, backupCount, formatter: messageOnly });
    const loggers = Array.from({ length: producers }, (_, p) => {
      const log = getLogger(`${uniqueName('busy')}.p${p}`);
      log.setLevel('INFO');
      log.addHandler(h);
      return log.child({ producer: p });
    });
    await Promise.all(
      loggers.map(async (log, p) => {
        for (let i = 0; i < perProducer; i++) {
          log.info(`p${p} ${i} ${'y'.repeat((i * 7 + p) % 90)}`);
          if (i % 97 === 0) await new Promise((r) => setImmediate(r));
          if (i % 1000 === 0) await h.flush();
        }
      }),
    );
    await h.close();
    const files = await readSet(filename, backupCount);
    const names = Object.keys(files);
    expect(names.length).toBeGreaterThan(50);
    expect(names.length).toBeLessThanOrEqual(backupCount + 1);
    const next = new Array(producers).fill(0);
    let total = 0;
    // Oldest first: .N ... .1, then the active file.
    const ordered = names.sort((a, b) => suffix(b) - suffix(a));
    for (const name of ordered) {
      const text = files[name]!;
      expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024);
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) {
        const m = /^p(\d) (\d+) (y*)$/.exec(line);
        expect(m, `cut or foreign line: ${JSON.stringify(line)}`).not.toBeNull();
        const p = Number(m![1]);
        const i = Number(m![2]);
        expect(i).toBe(next[p]);
        expect(m![3]!.length).toBe((i * 7 + p) % 90);
        next[p] = i + 1;
        total++;
      }
    }
    expect(total).toBe(producers * perProducer);
    expect(h.errors).toBe(0);
    // 100,000 lines through 200 rollovers: well over a minute on a loaded 2-core machine.
  }, 180_000);
});

function suffix(name: string): number {
  const m = /\.(\d+)$/.exec(name);
  return m ? Number(m[1]) : 0;
}
