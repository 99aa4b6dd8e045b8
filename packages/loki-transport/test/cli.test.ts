// pactown-loki as a shell user runs it: a real child process, real pipes, a real receiver.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LokiReceiver } from '@pactown/loki-receiver';
import { runChild, type TempDir, tempDir } from '@pactown/test-helpers';
import { startLokiReceiver } from './helpers/receiver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from './faces.js';

let receiver: LokiReceiver;
let tmp: TempDir;
let dir: string;
beforeEach(async () => {
  receiver = await startLokiReceiver();
  tmp = await tempDir('loki-cli-');
  dir = tmp.path;
});
afterEach(async () => {
  if (receiver.isDown) await receiver.up();
  await receiver.close();
  await tmp.remove();
});

/** Runs `script` in bash in the test's folder, with NODE and CLI set. */
function sh(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runChild('bash', ['-c', script], { cwd: dir, env: { ...process.env, NODE: process.execPath, CLI, ...env } });
}

describe('pactown-loki', () => {
  it('--tee into `head -1`: stops teeing on EPIPE and still ships all 2000 lines', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) =>
      JSON.stringify({ level: 30, time: Date.now(), msg: `tee line ${i}` }),
    );
    await fs.writeFile(path.join(dir, 'in.ndjson'), `${lines.join('\n')}\n`);
    const r = await sh(
      '"$NODE" "$CLI" --url "$URL" --label service=api --tee < in.ndjson | head -1; echo "status=${PIPESTATUS[0]}"',
      { URL: receiver.url },
    );
    expect(r.stdout.split('\n')[0]).toBe(lines[0]);
    expect(r.stdout).toContain('status=0');
    expect(r.stderr).not.toMatch(/EPIPE|at .*\(/);
    expect(receiver.entryCount).toBe(2000);
  }, 30_000);

  it('redacts secrets by default, in JSON fields, in messages and in plain text', async () => {
    const input = [
      JSON.stringify({
        level: 30,
        time: Date.now(),
        msg: 'login with password=hunter2',
        password: 'hunter2',
        user: 'bob',
      }),
      'plain text Authorization: Bearer abcdef123456secret',
      JSON.stringify({ level: 30, time: Date.now(), msg: 'nothing secret here' }),
    ];
    await fs.writeFile(path.join(dir, 'in.ndjson'), `${input.join('\n')}\n`);
    const r = await sh('"$NODE" "$CLI" --url "$URL" --label service=api --quiet < in.ndjson', { URL: receiver.url });
    expect(r.code).toBe(0);
    const shipped = receiver.entries().map((e) => e.line);
    expect(shipped).toHaveLength(3);
    expect(shipped.join('\n')).not.toMatch(/hunter2|abcdef123456secret/);
    expect(shipped.join('\n')).toContain('[REDACTED]');
    expect(shipped.join('\n')).toContain('user=bob');
    expect(shipped.filter((l) => l.includes('nothing secret here'))).toHaveLength(1);
  }, 30_000);

  it('--no-redact ships the line as it is', async () => {
    await fs.writeFile(path.join(dir, 'in.txt'), 'password=hunter2\n');
    const r = await sh('"$NODE" "$CLI" --url "$URL" --label service=api --quiet --no-redact < in.txt', {
      URL: receiver.url,
    });
    expect(r.code).toBe(0);
    expect(receiver.entries()[0]!.line).toContain('password=hunter2');
  }, 30_000);

  it('Loki down: prints the reason, not only counters, and exits 1', async () => {
    await receiver.down();
    await fs.writeFile(path.join(dir, 'in.txt'), 'one\ntwo\n');
    const r = await sh('"$NODE" "$CLI" --url "$URL" --label service=api --drain-timeout 500 < in.txt', {
      URL: receiver.url,
    });
    expect(r.code).toBe(1);
    // The port is closed, so the reason is a network error (ECONNREFUSED, or another process took the port).
    expect(r.stderr).toMatch(/dropped 2 .*last error: network: \S/);
  }, 30_000);

  for (const [what, args] of [
    ['an unknown flag', '--bogus'],
    ['a flag value that is not a number', '--url http://127.0.0.1:1 --batch-bytes abc'],
    ['no URL', ''],
    ['a URL that is not http', '--url ftp://loki'],
    ['a bad option value', '--url http://127.0.0.1:1 --queue-policy sometimes'],
  ]) {
    it(`usage error, ${what}: exit 2 with the usage`, async () => {
      const r = await sh(`"$NODE" "$CLI" ${args} < /dev/null`, { LOKI_URL: '' });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('Usage:');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }, 30_000);
  }
});
