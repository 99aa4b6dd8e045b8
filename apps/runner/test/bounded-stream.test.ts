import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { boundedStream } from '../src/logging/bounded-stream.js';

describe('boundedStream', () => {
  it('drops and counts lines once a pipe nobody reads holds more than the limit', async () => {
    // A real pipe whose reader never reads: writes pile up in this process.
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin!.on('error', () => undefined); // EPIPE once the child is killed with writes pending
    const stream = boundedStream(child.stdin!, 256 * 1024);
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 2000; i++) stream.write(line);
    expect(stream.dropped).toBeGreaterThan(0);
    expect(child.stdin!.writableLength).toBeLessThanOrEqual(256 * 1024 + line.length);
    expect(stream.dropped + Math.ceil(child.stdin!.writableLength / line.length)).toBeGreaterThan(1000);
    child.kill();
    await once(child, 'exit');
  });

  it('passes everything through while the reader keeps up', async () => {
    const child = spawn(process.execPath, ['-e', 'let n = 0; process.stdin.on("data", (d) => (n += d.length)); process.stdin.on("end", () => process.stdout.write(String(n)))'], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const stream = boundedStream(child.stdin!, 1024 * 1024);
    for (let i = 0; i < 100; i++) stream.write('0123456789\n');
    child.stdin!.end();
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await once(child, 'exit');
    expect(stream.dropped).toBe(0);
    expect(out).toBe('1100');
  });
});
