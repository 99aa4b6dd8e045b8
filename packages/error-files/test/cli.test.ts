import { execFile, spawn } from 'node:child_process';
import { appendFile, mkdir, readdir, rename, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeErrorFile } from '../src/index.js';
import { SEED_FILE, seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...process.env, PACTOWN_LOG_DIR: '', ...env } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr });
      },
    );
  });
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-cli-'));
});
afterEach(() => cleanup());

describe('pactown-errors', () => {
  it('list: newest first, as a table or JSON; exit 0 on an empty folder', async () => {
    expect(await run(['--dir', dir, 'list'])).toMatchObject({ code: 0, stdout: `No error files in ${dir}.\n` });
    await writeErrorFile(seedReport({ serviceId: 'old', endedAt: '2026-01-01T00:00:00.000Z' }), { logDir: dir });
    await writeErrorFile(
      seedReport({ serviceId: 'new', endedAt: '2026-06-01T00:00:00.000Z', category: 'port_conflict' }),
      { logDir: dir },
    );
    const table = await run(['--dir', dir, 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+SERVICE\s+EXIT\s+CATEGORY\s+SIZE\s+FILE$/);
    expect(lines[1]).toMatch(/^2026-06-01T00:00:00.000Z\s+new\s+-15\s+port_conflict\s+\d+ B\s+service_new_error.log$/);
    expect(lines[2]).toContain('old');
    const json = JSON.parse((await run(['--dir', dir, 'list', '--json'])).stdout);
    expect(json.map((e: { serviceId: string }) => e.serviceId)).toEqual(['new', 'old']);
  });

  it('list reads files written by the original too', async () => {
    await writeFile(path.join(dir, 'service_123_error.log'), SEED_FILE);
    const out = await run(['--dir', dir, 'list', '--json']);
    expect(JSON.parse(out.stdout)[0]).toMatchObject({ serviceId: '123', exitCode: -15, category: 'unknown' });
  });

  it('show: the file as written, --index N, --json, --markdown', async () => {
    await writeErrorFile(seedReport({ stderrTail: 'older\n' }), { logDir: dir });
    const file = await writeErrorFile(seedReport(), { logDir: dir });
    const shown = await run(['--dir', dir, 'show', '123']);
    expect(shown.code).toBe(0);
    const { readFile } = await import('node:fs/promises');
    expect(shown.stdout).toBe(await readFile(file, 'utf8'));
    expect(JSON.parse((await run(['--dir', dir, 'show', '123', '--index', '1', '--json'])).stdout).stderrTail).toBe(
      'older\n',
    );
    const md = await run(['--dir', dir, 'show', '123', '--markdown']);
    expect(md.stdout).toMatch(/^# Service `123` failed/);
  });

  it('show makes terminal escapes in a foreign file visible unless --raw', async () => {
    await writeFile(
      path.join(dir, 'service_py_error.log'),
      SEED_FILE.replace('ModuleNotFoundError', '\x1b[2J\x1b[31mModuleNotFoundError'),
    );
    const shown = await run(['--dir', dir, 'show', 'py']);
    expect(shown.stdout).not.toContain('\x1b');
    expect(shown.stdout).toContain('␛[2J␛[31mModuleNotFoundError');
    expect((await run(['--dir', dir, 'show', 'py', '--raw'])).stdout).toContain('\x1b[2J');
  });

  it('uses PACTOWN_LOG_DIR without --dir', async () => {
    await writeErrorFile(seedReport(), { logDir: dir });
    expect((await run(['show', '123', '--json'], { PACTOWN_LOG_DIR: dir })).code).toBe(0);
  });

  it('exit 3 with a clear message when the folder does not exist', async () => {
    const missing = path.join(dir, 'nope');
    for (const args of [['list'], ['show', '123'], ['tail'], ['clean', '--older-than', '7d']]) {
      const out = await run(['--dir', missing, ...args]);
      expect(out.code, args.join(' ')).toBe(3);
      expect(out.stderr).toContain(`Log folder ${missing} does not exist`);
    }
  });

  it("show and report take the file's own name or stem as well as the id", async () => {
    await writeErrorFile(seedReport({ stderrTail: 'older\n' }), { logDir: dir });
    const file = await writeErrorFile(seedReport(), { logDir: dir });
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(file, 'utf8');
    for (const name of ['123', 'service_123', 'service_123_error', 'service_123_error.log']) {
      expect(await run(['--dir', dir, 'show', name]), name).toMatchObject({ code: 0, stdout: text });
    }
    expect(JSON.parse((await run(['--dir', dir, 'show', 'service_123_error.log.1', '--json'])).stdout).stderrTail).toBe(
      'older\n',
    );
    expect(
      JSON.parse((await run(['--dir', dir, 'show', 'service_123', '--index', '1', '--json'])).stdout).stderrTail,
    ).toBe('older\n');
    // An id that is itself called service_x wins over the stem reading when its file exists.
    await writeErrorFile(seedReport({ serviceId: 'service_9', stderrTail: 'own\n' }), { logDir: dir });
    await writeErrorFile(seedReport({ serviceId: '9', stderrTail: 'stem\n' }), { logDir: dir });
    expect(JSON.parse((await run(['--dir', dir, 'show', 'service_9', '--json'])).stdout).stderrTail).toBe('own\n');
    expect(JSON.parse((await run(['--dir', dir, 'show', 'service_service_9', '--json'])).stdout).stderrTail).toBe(
      'own\n',
    );
    const missing = await run(['--dir', dir, 'show', 'service_ghost']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('No error file for service service_ghost');
  });

  it('report prints the Markdown report, by id or file name, and --index N', async () => {
    await writeErrorFile(seedReport({ stderrTail: 'older line\n' }), { logDir: dir });
    await writeErrorFile(seedReport(), { logDir: dir });
    const md = await run(['--dir', dir, 'report', 'service_123']);
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^# Service `123` failed/);
    expect(md.stdout).toContain("ModuleNotFoundError: No module named 'missing_module'");
    expect(md.stdout).toBe((await run(['--dir', dir, 'show', '123', '--markdown'])).stdout);
    expect((await run(['--dir', dir, 'report', '123', '--index', '1'])).stdout).toContain('older line');
    expect((await run(['--dir', dir, 'report', 'ghost'])).code).toBe(4);
  });

  it('list | head -1 exits 0 without a word when the reader stops early', async () => {
    const { formatErrorFile, prepareReport } = await import('../src/index.js');
    const text = formatErrorFile(prepareReport(seedReport()));
    // Far more than a pipe buffer (64 KiB), so the writer meets the closed pipe.
    for (let i = 0; i < 1500; i++) await writeFile(path.join(dir, `service_svc-${i}_error.log`), text);
    for (const args of [['list'], ['list', '--json']]) {
      const shell = `"${process.execPath}" "${cli}" --dir "${dir}" ${args.join(' ')} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`;
      const out = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
        execFile('bash', ['-c', shell], { env: { ...process.env, PACTOWN_LOG_DIR: '' } }, (_e, stdout, stderr) =>
          resolve({ stdout, stderr }),
        );
      });
      expect(out.stdout.split('\n').filter(Boolean), args.join(' ')).toHaveLength(1);
      expect(out.stderr, args.join(' ')).toBe('status=0\n');
    }
  });

  it('exit 4 when the service, the history entry or sandbox.log does not exist', async () => {
    await writeErrorFile(seedReport(), { logDir: dir });
    const none = await run(['--dir', dir, 'show', 'ghost']);
    expect(none).toMatchObject({ code: 4 });
    expect(none.stderr).toContain('No error file for service ghost');
    expect((await run(['--dir', dir, 'show', '123', '--index', '3'])).code).toBe(4);
    expect((await run(['--dir', dir, 'tail'])).stderr).toContain(`No sandbox.log in ${dir}`);
  });

  it('exit 2 for usage errors', async () => {
    const cases = [
      [],
      ['bogus'],
      ['show'],
      ['show', '../x'],
      ['show', 'a', '--index', '-1'],
      ['show', 'a', '--index'],
      ['list', '--nope'],
      ['clean'],
      ['clean', '--older-than', 'soon'],
      ['list', 'extra'],
      ['report'],
      ['report', 'a', 'b'],
      ['report', 'a', '--json'],
      ['tail', '-n', 'many'],
      ['--dir'],
    ];
    for (const args of cases) {
      const out = await run(['--dir', dir, ...args]);
      expect(out.code, args.join(' ')).toBe(2);
      expect(out.stderr).toContain('Usage: pactown-errors');
    }
    expect(await run(['--help'])).toMatchObject({ code: 0 });
  });

  it('tail prints the last lines of sandbox.log', async () => {
    await writeFile(path.join(dir, 'sandbox.log'), `${Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n')}\n`);
    expect((await run(['--dir', dir, 'tail', '-n', '3'])).stdout).toBe('line 27\nline 28\nline 29\n');
    expect((await run(['--dir', dir, 'tail'])).stdout.split('\n')).toHaveLength(21);
  });

  describe('tail --file', () => {
    let logs: string;
    beforeEach(async () => {
      logs = path.join(dir, 'logs');
      await mkdir(logs, { mode: 0o700 });
      await writeFile(path.join(dir, 'secret.log'), 'outside the folder\n');
      await writeFile(path.join(logs, 'sandbox.log'), 'inside\n');
    });

    it.each([
      '../secret.log',
      '../../../etc/hostname',
      '/etc/hostname',
      `${'../'.repeat(12)}etc/passwd`,
      'sub/sandbox.log',
      'sandbox.log/..',
      '..',
      '.',
      '',
      '.service_123_error.log.lock',
      '.pactown-errors.index',
      'a..log',
      'notes.txt',
      'x\\..\\sandbox.log',
      'sandbox log.log',
    ])('refuses %j with exit 2 and prints nothing of it', async (name) => {
      const out = await run(['--dir', logs, 'tail', '--file', name]);
      expect(out.code).toBe(2);
      expect(out.stdout).toBe('');
      expect(out.stderr).toContain('--file must be the plain name of a log file in the log folder');
    });

    it('refuses a symbolic link, even to a file in the folder', async () => {
      await symlink(path.join(dir, 'secret.log'), path.join(logs, 'escape.log'));
      await symlink(path.join(logs, 'sandbox.log'), path.join(logs, 'inner.log'));
      for (const name of ['escape.log', 'inner.log']) {
        const out = await run(['--dir', logs, 'tail', '--file', name]);
        expect(out.code, name).toBe(1);
        expect(out.stdout).toBe('');
        expect(out.stderr).toContain(`Refusing ${path.join(logs, name)}: it is a symbolic link`);
      }
    });

    it('reads log and error files of the folder', async () => {
      await writeFile(path.join(logs, 'sandbox.log.2'), 'rotated\n');
      await writeErrorFile(seedReport({ stderrTail: 'boom\n' }), { logDir: logs });
      expect(await run(['--dir', logs, 'tail', '--file', 'sandbox.log'])).toMatchObject({
        code: 0,
        stdout: 'inside\n',
      });
      expect(await run(['--dir', logs, 'tail', '--file', 'sandbox.log.2'])).toMatchObject({
        code: 0,
        stdout: 'rotated\n',
      });
      expect((await run(['--dir', logs, 'tail', '-n', '2', '--file', 'service_123_error.log'])).stdout).toBe(
        "--- FILES ---\n['main.py', 'requirements.txt', '.venv']\n",
      );
      expect(await run(['--dir', logs, 'tail', '--file', 'other.log'])).toMatchObject({ code: 4 });
    });
  });

  it('tail -f prints appended lines, follows rotation and exits 0 on SIGTERM', async () => {
    const log = path.join(dir, 'sandbox.log');
    await writeFile(log, 'one\ntwo\nthree\n');
    const child = spawn(process.execPath, [cli, '--dir', dir, 'tail', '-n', '2', '-f'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const waiters: Array<{ text: string; resolve: () => void }> = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      for (const w of waiters.filter((w) => out.includes(w.text))) w.resolve();
    });
    const seen = (text: string) =>
      new Promise<void>((resolve) => (out.includes(text) ? resolve() : waiters.push({ text, resolve })));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await seen('two\nthree\n');
    expect(out).toBe('two\nthree\n');
    await appendFile(log, 'four\n');
    await seen('four\n');
    await rename(log, `${log}.1`);
    await writeFile(log, 'after rotation\n');
    await seen('after rotation\n');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out).toBe('two\nthree\nfour\nafter rotation\n');
  });

  it('tail -f follows the name across 1,000 rollovers and loses no line, as tail -F does', {
    timeout: 180_000,
  }, async () => {
    const { appendFileSync, existsSync, renameSync, writeFileSync } = await import('node:fs');
    const log = path.join(dir, 'sandbox.log');
    writeFileSync(log, 'before\n');
    const child = spawn(process.execPath, [cli, '--dir', dir, 'tail', '-n', '1', '-f'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let waiter: { text: string; resolve: () => void } | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (waiter && out.endsWith(waiter.text)) waiter.resolve();
    });
    const seen = (text: string) =>
      new Promise<void>((resolve) => (out.endsWith(text) ? resolve() : (waiter = { text, resolve })));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The last line is printed from the file that is then followed: from here on nothing can be missed.
    const expected = ['before'];
    await seen('before\n');
    for (let r = 0; r < 1000; r++) {
      // A burst right before the rollover: the lines a follower that only polls the name loses.
      for (let i = 0; i < 5; i++) {
        appendFileSync(log, `r${r} line ${i}\n`);
        expected.push(`r${r} line ${i}`);
      }
      // Rotate as log-core's rotating handler does: shift the history, rename, create a new file.
      for (let k = 2; k >= 1; k--) if (existsSync(`${log}.${k}`)) renameSync(`${log}.${k}`, `${log}.${k + 1}`);
      renameSync(log, `${log}.1`);
      writeFileSync(log, `r${r} first line of the new file\n`);
      expected.push(`r${r} first line of the new file`);
      // One rollover at a time: two renames between two reads would lose a whole file to tail -F too.
      await seen(`r${r} first line of the new file\n`);
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const lines = out.split('\n').slice(0, -1);
    expect(lines.length).toBe(expected.length);
    expect(lines).toEqual(expected);
  });

  it('clean --older-than removes old files only; --dry-run removes nothing', async () => {
    const old = await writeErrorFile(seedReport({ serviceId: 'old' }), { logDir: dir });
    await writeErrorFile(seedReport({ serviceId: 'fresh' }), { logDir: dir });
    await mkdir(path.join(dir, 'keep-me'));
    const tenDaysAgo = Date.now() / 1000 - 10 * 86400;
    await utimes(old, tenDaysAgo, tenDaysAgo);
    const dry = await run(['--dir', dir, 'clean', '--older-than', '7d', '--dry-run']);
    expect(dry.stdout).toContain(`would remove ${old}`);
    expect(await readdir(dir)).toContain('service_old_error.log');
    const real = await run(['--dir', dir, 'clean', '--older-than', '7d']);
    expect(real).toMatchObject({ code: 0 });
    expect(real.stdout).toContain('Removed 1 file older than 7d.');
    expect((await readdir(dir)).sort()).toEqual(['keep-me', 'service_fresh_error.log']);
  });
});
