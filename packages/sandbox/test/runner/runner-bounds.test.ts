import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, freePort, tempDir } from '@pactown/test-helpers';
import { ServiceRunner } from '../../src/runner/service-runner.js';
import { endOf } from '../../src/runner/start.js';

let root: string;
let rootDir: TempDir;
beforeAll(async () => {
  rootDir = await tempDir('pactown-runner-bounds-');
  root = rootDir.path;
});
afterAll(async () => {
  await rootDir.remove();
});

// Talks a lot before it would be ready, then dies: the run's answer must stay bounded.
const chatty = {
  files: {
    // It dies a moment after its last line, as a crash after start-up does, so the pipes are drained by then.
    'main.js':
      'for (let i = 0; i < 5000; i++) { console.log("out line " + i); console.error("err line " + i); }\nconsole.error("Error: the real reason");\nsetTimeout(() => process.exit(1), 1500);\n',
  },
  run: 'node main.js',
};

describe('bounded run answers', () => {
  it('keeps the first and last lines of logs with the count of those left out, and the end of stderr', async () => {
    const runner = new ServiceRunner({ sandboxesDir: root, logsMaxLines: 100, stderrOutputMaxLines: 10 });
    let delivered = 0;
    const result = await runner.runFromContent({
      serviceId: 'chatty',
      content: chatty,
      port: await freePort(),
      timeoutMs: 60_000,
      onLog: () => delivered++,
    });
    await runner.close();
    expect(result.success).toBe(false);
    expect(delivered).toBeGreaterThan(10_000); // onLog still sees every line live
    expect(result.logs).toHaveLength(101);
    expect(result.logs[0]).toBe('Found 1 files, 0 dependencies');
    const marker = result.logs[50]!;
    expect(marker).toMatch(/^… \d+ lines omitted …$/);
    const omitted = Number(/\d+/.exec(marker)![0]);
    expect(omitted).toBeGreaterThan(9_000);
    expect(result.logs.at(-1)).toBe('❌ Server failed to start - check dependencies and code');
    expect(result.stderrOutput.trimEnd().split('\n')).toHaveLength(10);
    expect(result.stderrOutput).toMatch(/Error: the real reason\n?$/);
  }, 120_000);

  it('bounds logs in bytes too', async () => {
    const runner = new ServiceRunner({ sandboxesDir: root, logsMaxBytes: 4096, stderrOutputMaxBytes: 2048 });
    const result = await runner.runFromContent({
      serviceId: 'chatty-bytes',
      content: chatty,
      port: await freePort(),
      timeoutMs: 60_000,
    });
    await runner.close();
    expect(Buffer.byteLength(result.logs.join(''))).toBeLessThanOrEqual(4096 + 40);
    expect(result.logs.some((m) => /^… \d+ lines omitted …$/.test(m))).toBe(true);
    expect(Buffer.byteLength(result.stderrOutput)).toBeLessThanOrEqual(2048);
    expect(result.stderrOutput).toMatch(/Error: the real reason\n?$/);
  }, 120_000);

  it('endOf keeps the last lines within both limits', () => {
    const text = `${Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n')}\n`;
    expect(endOf(text, { stderrOutputMaxLines: 3, stderrOutputMaxBytes: 1 << 20 })).toBe('line 47\nline 48\nline 49\n');
    expect(endOf('a\nb', { stderrOutputMaxLines: 5, stderrOutputMaxBytes: 1 << 20 })).toBe('a\nb');
    expect(endOf('', { stderrOutputMaxLines: 5, stderrOutputMaxBytes: 1024 })).toBe('');
    const cut = endOf(text, { stderrOutputMaxLines: 1000, stderrOutputMaxBytes: 20 });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(20);
    expect(cut.endsWith('line 49\n')).toBe(true);
  });
});
