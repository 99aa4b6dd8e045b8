import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { readProcText } from '../../src/process/proc-file.js';

describe('readProcText', () => {
  it.runIf(process.platform === 'linux')('reads a /proc file whole, as readFileSync does', () => {
    const status = readProcText('/proc/self/status');
    expect(status).toMatch(/^Name:/);
    expect(status).toMatch(/\nUid:\s+\d+/);
    expect(readProcText(`/proc/${process.pid}/cmdline`)).toBe(readFileSync(`/proc/${process.pid}/cmdline`, 'latin1'));
  });

  it('reads a text longer than its first buffer, again and again', async () => {
    const dir = await tempDir();
    try {
      const long = join(dir.path, 'long.txt');
      const text = `${'x'.repeat(10_000)}\nend`;
      await writeFile(long, text);
      expect(readProcText(long)).toBe(text);
      await writeFile(join(dir.path, 'short.txt'), 'short');
      expect(readProcText(join(dir.path, 'short.txt'))).toBe('short');
      expect(readProcText(long)).toBe(text);
    } finally {
      await dir.remove();
    }
  });

  it('throws for a process that is gone, as readFileSync does', () => {
    expect(() => readProcText('/proc/999999999/stat')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
