import { execFile } from 'node:child_process';
import path from 'node:path';
import { tempDir } from '@pactown/test-helpers';
import { describe, expect, it } from 'vitest';

const cli = path.join(import.meta.dirname, '..', 'dist', 'cli.js');

function runCli(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cli, ...args], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

const time = new Date(2026, 10, 26, 23, 59, 59, 123).getTime();
const input = [
  JSON.stringify({
    level: 30,
    time,
    pid: 1,
    hostname: 'h',
    name: 'pactown.sandbox',
    msg: 'Creating sandbox for service_123',
    service: 'service_123',
  }),
  'plain text line',
  JSON.stringify({ level: 20, time, name: 'pactown.sandbox', msg: 'Port: 8001' }),
  '{"not": "a record"}',
  '{broken json',
  JSON.stringify({
    level: 50,
    time,
    name: 'pactown.sandbox',
    msg: 'boom',
    err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
    token: 't0ps3cret',
  }),
].join('\n');

describe('pactown-log', () => {
  it('formats pino NDJSON with a pattern and a level filter; other lines pass through', async () => {
    const { code, stdout } = await runCli(
      ['--format', '%(asctime)s [%(levelname)s] %(name)s: %(message)s', '--level', 'INFO'],
      input,
    );
    expect(code).toBe(0);
    expect(stdout.split('\n')).toEqual([
      '2026-11-26 23:59:59,123 [INFO] pactown.sandbox: Creating sandbox for service_123',
      'plain text line',
      '{"not": "a record"}',
      '{broken json',
      '2026-11-26 23:59:59,123 [ERROR] pactown.sandbox: boom',
      'Error: boom',
      '    at x',
      '',
    ]);
  });

  it('writes the JSON shape, redacted', async () => {
    const { stdout } = await runCli(['--json', '-l', 'error'], input);
    const lines = stdout.trimEnd().split('\n');
    const record = JSON.parse(lines.at(-1)!);
    expect(record).toMatchObject({ level: 'ERROR', logger: 'pactown.sandbox', message: 'boom', token: '[REDACTED]' });
  });

  it('pretty output has no color unless asked', async () => {
    const plain = await runCli(['--pretty'], input);
    expect(plain.stdout).not.toContain('\u001b[');
    const colored = await runCli(['--pretty', '--color'], input);
    expect(colored.stdout).toContain('\u001b[');
  });

  it('rejects a bad level with usage help', async () => {
    const { code, stderr } = await runCli(['--level', 'LOUD'], '');
    expect(code).toBe(2);
    expect(stderr).toContain('Invalid level "LOUD"');
  });
});

describe('pactown-log | head -1', () => {
  it('exits quietly (code 0, nothing on stderr) when its reader closes stdout early (was: EPIPE stack trace, exit 1)', async () => {
    const { spawn } = await import('node:child_process');
    const fs = await import('node:fs/promises');
    const tmp = await tempDir('log-core-cli-');
    const dir = tmp.path;
    try {
      const line = JSON.stringify({ level: 30, time, name: 'app', msg: 'x'.repeat(200) });
      const input = path.join(dir, 'in.ndjson');
      await fs.writeFile(input, `${line}\n`.repeat(20_000));
      const script = `"${process.execPath}" "${cli}" < "${input}" | head -1 > /dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`;
      const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c) => {
        stderr += c;
      });
      await new Promise((r) => child.once('exit', r));
      expect(stderr.trim()).toBe('exit=0');
    } finally {
      await tmp.remove();
    }
  });
});
