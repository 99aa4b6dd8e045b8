import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { runChild } from '@pactown/test-helpers';
import { describe, expect, it } from 'vitest';
import { startLokiReceiver } from '../src/index.js';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
// tsx as a loader inside one node process, so signals reach the CLI itself.
const node = (args: string[]) =>
  spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });

describe('pactown-loki-receiver CLI', () => {
  it('serves on the requested port and stops on SIGTERM', async () => {
    const child = node(['--port', '0']);
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: string) => {
          out += chunk;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/ready`)).status).toBe(200);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  /** Runs the CLI to its end. */
  async function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
    const { code, stdout, stderr } = await runChild(process.execPath, ['--import', 'tsx', cli, ...args], {
      timeoutMs: 60_000,
    });
    return { code, out: stdout, err: stderr };
  }

  it('prints help', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('Usage: pactown-loki-receiver');
  });

  it.each([
    [['--bogus']],
    [['--port', 'abc']],
    [['--port', '99999']],
    [['--max-line-size', '-1']],
    [['--ingestion-rate', 'fast']],
    [['extra']],
  ])('exits 2 on the usage error %j, printing the prefix once', async (args) => {
    const { code, err } = await run(args);
    expect(code).toBe(2);
    const first = err.split('\n')[0]!;
    expect(first.startsWith('[@pactown/loki-receiver] ')).toBe(true);
    expect(first.indexOf('[@pactown/loki-receiver]', 1)).toBe(-1);
    expect(err).toContain('--help');
  });

  it('exits 1 when it cannot listen (not a usage error)', async () => {
    const blocker = await startLokiReceiver();
    try {
      const { code, err } = await run(['--port', String(blocker.port)]);
      expect(code).toBe(1);
      expect(err).toMatch(/EADDRINUSE/);
    } finally {
      await blocker.close();
    }
  });
});
