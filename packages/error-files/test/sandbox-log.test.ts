import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { getLogger } from '@pactown/log-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sandboxLogHandler } from '../src/index.js';
import { tempDir } from '@pactown/test-helpers';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-sblog-'));
});
afterEach(() => cleanup());

describe('sandboxLogHandler', () => {
  it("writes {logDir}/sandbox.log in the seed's pattern", async () => {
    const logDir = path.join(dir, 'logs');
    const handler = sandboxLogHandler({ logDir });
    const log = getLogger('pactown.sandbox');
    log.setLevel('DEBUG');
    log.addHandler(handler);
    try {
      log.info('[123] Process started with PID: 12345');
      log.debug("[123] Sandbox files: ['main.py', 'requirements.txt', '.venv']");
      await handler.flush();
    } finally {
      log.removeHandler(handler);
      await handler.close();
    }
    const lines = (await readFile(path.join(logDir, 'sandbox.log'), 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[INFO\] pactown\.sandbox: \[123\] Process started with PID: 12345$/,
    );
    expect(lines[1]).toMatch(
      / \[DEBUG\] pactown\.sandbox: \[123\] Sandbox files: \['main\.py', 'requirements\.txt', '\.venv'\]$/,
    );
    expect((await stat(logDir)).mode & 0o777).toBe(0o700);
  });

  it('rotates at maxBytes, keeping backupCount files', async () => {
    const handler = sandboxLogHandler({
      logDir: dir,
      maxBytes: 2000,
      backupCount: 2,
      pattern: '%(levelname)s %(message)s',
    });
    const log = getLogger('pactown.rotation-test');
    log.addHandler(handler);
    try {
      for (let i = 0; i < 200; i++) log.warning(`line ${i} ${'x'.repeat(40)}`);
      await handler.flush();
    } finally {
      log.removeHandler(handler);
      await handler.close();
    }
    expect((await readdir(dir)).sort()).toEqual(['sandbox.log', 'sandbox.log.1', 'sandbox.log.2']);
    const last = (await readFile(path.join(dir, 'sandbox.log'), 'utf8')).trimEnd().split('\n').at(-1);
    expect(last).toBe(`WARNING line 199 ${'x'.repeat(40)}`);
  });

  it('refuses a file name with a folder in it', () => {
    expect(() => sandboxLogHandler({ logDir: dir, filename: '../sandbox.log' })).toThrow(/option 'filename'/);
    expect(() => sandboxLogHandler({ logDir: dir, maxBytes: -1 })).toThrow(/option 'maxBytes'/);
  });
});
