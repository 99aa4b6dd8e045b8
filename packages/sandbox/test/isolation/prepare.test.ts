import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from '@pactown/test-helpers';
import { environmentPaths, prepareStart } from '../../src/process/isolation/prepare.js';
import { createServiceDir } from '../../src/process/isolation/ownership.js';
import { probe, world } from './helpers.js';

describe.skipIf(!probe.ok)('prepareStart', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let venv: string;
  beforeAll(async () => {
    w = await world();
    venv = join(w.cache, 'venv_prepare');
    // A venv of the default python3 on PATH (pyenv here): its install lies outside /usr and must be bound.
    execFileSync('python3', ['-m', 'venv', '--without-pip', venv]);
  }, 60_000);
  afterAll(async () => {
    await w.remove();
  });

  it('runs a linked cached venv, with its interpreter install read-only, as the service uid', async () => {
    const dir = createServiceDir(w.sandboxes, 'service_py');
    symlinkSync(venv, join(dir, '.venv'), 'dir');
    const paths = environmentPaths(dir, undefined);
    expect(paths[0]).toBe(venv);
    const prepared = prepareStart({
      serviceId: 'py',
      file: join(dir, '.venv', 'bin', 'python'),
      args: ['-c', 'import os, sys; print(sys.prefix, os.getuid(), os.environ["HOME"], os.environ["TMPDIR"])'],
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', HOME: '/root' },
      options: { uidPool: w.pool },
      sandboxRoot: w.sandboxes,
    });
    expect(prepared).toMatchObject({ mode: 'namespaces', wrapped: true });
    const out = await runChild(prepared.file, prepared.args, { env: prepared.env });
    expect(out.stderr).toBe('');
    expect(out.stdout.trim()).toBe(`${join(dir, '.venv')} ${prepared.lease!.uid} ${dir} /tmp`);
    prepared.lease!.release();
    expect(await (prepared.cgroup?.remove() ?? true)).toBe(true);
  });

  it("under 'none' changes nothing unless limits are given, then only prlimit (and the cgroup launcher) wraps it", async () => {
    const base = { serviceId: 'plain', file: 'node', args: ['-e', '1'], cwd: w.logs, env: { PATH: '/usr/bin' } };
    expect(prepareStart({ ...base, options: { isolation: 'none' } })).toMatchObject({
      file: 'node',
      args: ['-e', '1'],
      lease: null,
      wrapped: false,
    });
    const limited = prepareStart({ ...base, options: { isolation: 'none', limits: { openFiles: 64 } } });
    // Where cgroups are writable, the launcher shell joins the cgroup and execs prlimit.
    const at = limited.args.indexOf('/usr/bin/prlimit');
    if (limited.cgroup === null) expect(limited.file).toBe('/usr/bin/prlimit');
    else {
      expect(limited.file).toBe('/bin/sh');
      expect(at).toBeGreaterThan(0);
      expect(await limited.cgroup.remove()).toBe(true);
    }
    expect(limited.args).toContain('--nofile=64');
    expect(limited.args).not.toContain('--nproc=256');
    expect(() => prepareStart({ ...base, options: { isolation: 'none', network: 'none' } })).toThrow(
      /needs isolation 'namespaces'/,
    );
    expect(() => prepareStart({ ...base, options: { network: 'off' as never } })).toThrow(
      /network must be 'host' or 'none'/,
    );
  });

  it('gives the uid back when the launch cannot be built', () => {
    const before = w.pool.held().size;
    expect(() =>
      prepareStart({ serviceId: 'bad', file: 'x', args: [], cwd: '/tmp', env: {}, options: { uidPool: w.pool } }),
    ).toThrow(/shared folder/);
    expect(w.pool.held().size).toBe(before);
  });

  it('serves on the host network from inside the sandbox', async () => {
    const dir = createServiceDir(w.sandboxes, 'service_web');
    writeFileSync(
      join(dir, 'server.mjs'),
      "import http from 'node:http'; const s = http.createServer((q, r) => r.end('hi from ' + process.getuid())); s.listen(0, '127.0.0.1', () => console.log('port=' + s.address().port));\n",
    );
    const prepared = prepareStart({
      serviceId: 'web',
      file: 'node',
      args: ['server.mjs'],
      cwd: dir,
      env: { PATH: '/usr/bin:/bin' },
      options: { uidPool: w.pool },
      sandboxRoot: w.sandboxes,
    });
    const child = spawn(prepared.file, prepared.args, {
      env: prepared.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        const match = /port=(\d+)/.exec(d);
        if (match) resolve(Number(match[1]));
      });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
    });
    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(body).toBe(`hi from ${prepared.lease!.uid}`);
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    prepared.lease!.release();
    expect(await (prepared.cgroup?.remove() ?? true)).toBe(true);
  });
});
