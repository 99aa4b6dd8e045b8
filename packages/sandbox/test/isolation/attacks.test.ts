// The attacks of a hostile service, each run for real under bwrap (must fail)
// and, where it shows the test can fail, as a plain process (succeeds there).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { normalizeLimits } from '../../src/process/isolation/limits.js';
import { listProcesses, namespaceMembers, sandboxInit } from '../../src/process/isolation/tree.js';
import { liveUids } from '../../src/process/isolation/uid-pool.js';
import { assertTmpUntouched, probe, runUnderParent, serviceDir, shellPlan, world } from './helpers.js';

const SECRET = `tok_${Math.random().toString(36).slice(2)}_secret`;

describe.skipIf(!probe.ok)('attacks under isolation namespaces', () => {
  let w: Awaited<ReturnType<typeof world>>;
  let venv: string;

  beforeAll(async () => {
    w = await world();
    writeFileSync(join(w.logs, 'user_1.log'), `token=${SECRET}\n`);
    writeFileSync(join(w.logs, 'service_other_error.log'), 'other user error\n');
    // A real shared cached venv, built once by the runner (root), as the cache does.
    venv = join(w.cache, 'venv_test');
    execFileSync('/usr/bin/python3', ['-m', 'venv', '--without-pip', venv]);
  }, 60_000);

  afterAll(async () => {
    await w.remove();
  });

  it("cannot read the parent's environment through /proc", async () => {
    const lease = w.pool.acquire('env-reader');
    const dir = serviceDir(w.sandboxes, 'service_env-reader', lease);
    const script =
      'for f in /proc/$PPID/environ /proc/[0-9]*/environ; do cat "$f" 2>/dev/null; done; echo; echo ppid=$PPID; ls /proc | grep -E "^[0-9]+$" | wc -l';
    const isolated = await runUnderParent(shellPlan(dir, script, { lease }), {
      PACTOWN_API_TOKENS: SECRET,
      LOKI_URL: 'http://u:p@loki',
    });
    expect(isolated.code).toBe(0);
    expect(isolated.stdout).not.toContain(SECRET);
    expect(isolated.stdout).not.toContain('LOKI_URL');
    expect(isolated.stdout).toContain('ppid=1');
    // Only the sandbox's own few processes are visible (init, sh, ls, grep, wc).
    const visible = Number(isolated.stdout.trim().split('\n').at(-1));
    expect(visible).toBeLessThanOrEqual(6);

    // The same script as a plain child of the same parent finds the secret: the test can fail.
    const plain = await runUnderParent(
      { file: '/bin/sh', args: ['-c', script], env: { PATH: '/usr/bin:/bin' } },
      { PACTOWN_API_TOKENS: SECRET },
    );
    expect(plain.stdout).toContain(SECRET);
    lease.release();
  });

  it('cannot read the logs folder or another sandbox', async () => {
    const leaseA = w.pool.acquire('reader');
    const leaseB = w.pool.acquire('victim');
    const dirA = serviceDir(w.sandboxes, 'service_reader', leaseA);
    const dirB = serviceDir(w.sandboxes, 'service_victim', leaseB);
    writeFileSync(join(dirB, 'private.txt'), SECRET);
    const script = `cat ../../logs/user_1.log; cat ${w.logs}/user_1.log; cat ../service_victim/private.txt; cat ${dirB}/private.txt; ls -a .. ; ls ../..; echo done`;
    const isolated = await runUnderParent(shellPlan(dirA, script, { lease: leaseA }));
    expect(isolated.stdout).toContain('done');
    expect(isolated.stdout + isolated.stderr).not.toContain(SECRET);
    expect(isolated.stdout).not.toContain('service_victim');
    expect(isolated.stdout).not.toContain('logs');
    expect(isolated.stderr).toMatch(/No such file or directory|Permission denied/);

    const plain = await runUnderParent({
      file: '/bin/sh',
      args: ['-c', `cd ${dirA} && ${script}`],
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(plain.stdout).toContain(SECRET);
    leaseA.release();
    leaseB.release();
  });

  it("cannot see or signal another service's processes", async () => {
    const leaseB = w.pool.acquire('victim2');
    const dirB = serviceDir(w.sandboxes, 'service_victim2', leaseB);
    const victimPlan = shellPlan(dirB, 'echo up; exec sleep 120', { lease: leaseB });
    const victim = spawn(victimPlan.file, victimPlan.args, { env: victimPlan.env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => victim.stdout.once('data', () => resolve()));
    const init = sandboxInit(victim.pid!);
    expect(init).not.toBeNull();
    const victimPids = namespaceMembers(init!).map((p) => p.pid);
    expect(victimPids.length).toBeGreaterThanOrEqual(2);

    const leaseA = w.pool.acquire('killer');
    const dirA = serviceDir(w.sandboxes, 'service_killer', leaseA);
    const targets = [...victimPids, victim.pid!].join(' ');
    const script = `ps -e -o pid=,comm= 2>/dev/null || ls /proc; for p in ${targets} 1; do kill -9 $p 2>&1 && echo killed=$p; done; echo done`;
    const isolated = await runUnderParent(shellPlan(dirA, script, { lease: leaseA }));
    expect(isolated.stdout).toContain('done');
    expect(isolated.stdout).not.toContain('sleep');
    // Host PIDs do not exist in the attacker's namespace, and its own init is not its to signal.
    for (const pid of [...victimPids, victim.pid!]) {
      if (pid > 1) expect(isolated.stdout).not.toContain(`killed=${pid}\n`);
    }
    expect(namespaceMembers(init!).length).toBe(victimPids.length); // the victim still runs
    victim.kill('SIGKILL');
    await new Promise((resolve) => victim.once('close', resolve));
    leaseA.release();
    leaseB.release();
  });

  it('cannot write into the shared cache entry or anywhere outside its folder', async () => {
    const lease = w.pool.acquire('writer');
    const dir = serviceDir(w.sandboxes, 'service_writer', lease);
    symlinkSync(venv, join(dir, '.venv'), 'dir');
    const marker = `pactown-iso-${Math.random().toString(36).slice(2)}`;
    const site = execFileSync(
      join(venv, 'bin', 'python'),
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
      { encoding: 'utf8' },
    ).trim();
    const script = [
      `echo 'print("pwned")' > .venv/${site.slice(venv.length + 1)}/sitecustomize.py && echo wrote-venv`,
      `echo x > ${w.logs}/planted && echo wrote-logs`,
      'echo x > /usr/planted && echo wrote-usr',
      `echo x > /tmp/${marker} && echo wrote-private-tmp`,
      'echo x > own.txt && echo wrote-own',
      '.venv/bin/python -c "print(\\"venv-runs\\")"',
    ].join('; ');
    const isolated = await runUnderParent(shellPlan(dir, script, { lease, readOnlyPaths: [venv] }));
    expect(isolated.stdout).not.toContain('wrote-venv');
    expect(isolated.stderr).toMatch(/Read-only file system/);
    expect(isolated.stdout).not.toContain('wrote-logs');
    expect(isolated.stdout).not.toContain('wrote-usr');
    expect(isolated.stdout).toContain('wrote-private-tmp');
    expect(isolated.stdout).toContain('wrote-own');
    expect(isolated.stdout).toContain('venv-runs');
    expect(existsSync(join(site, 'sitecustomize.py'))).toBe(false);
    expect(existsSync(join(w.logs, 'planted'))).toBe(false);
    expect(existsSync(join(tmpdir(), marker))).toBe(false); // its /tmp is private
    expect(readFileSync(join(dir, 'own.txt'), 'utf8')).toBe('x\n');
    lease.release();
  });

  it('cannot change its /etc; a zone link into /usr stays the same link', async () => {
    const lease = w.pool.acquire('etc-writer');
    const dir = serviceDir(w.sandboxes, 'service_etc-writer', lease);
    const script = [
      'echo "link=$(readlink /etc/localtime)"',
      'echo x > /etc/localtime && echo wrote-localtime',
      'ln -sf /tmp/zone /etc/localtime && echo relinked',
      'rm -f /etc/hosts && echo removed',
      'echo x > /etc/planted && echo wrote-etc',
    ].join('; ');
    const isolated = await runUnderParent(shellPlan(dir, script, { lease }));
    for (const done of ['wrote-localtime', 'relinked', 'removed', 'wrote-etc'])
      expect(isolated.stdout).not.toContain(done);
    let hostLink: string | null = null;
    try {
      hostLink = readlinkSync('/etc/localtime');
    } catch {
      // not a link on this host: it is bound as a file
    }
    if (hostLink?.startsWith('/usr/')) expect(isolated.stdout).toContain(`link=${hostLink}\n`);
    lease.release();
  });

  it('runs as its own unprivileged uid with no capabilities', async () => {
    const lease = w.pool.acquire('whoami');
    const dir = serviceDir(w.sandboxes, 'service_whoami', lease);
    const isolated = await runUnderParent(
      shellPlan(
        dir,
        'id -u; id -g; id -G; grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs)" /proc/self/status; hostname',
        { lease },
      ),
    );
    const [uid, gid, groups] = isolated.stdout.split('\n');
    expect(Number(uid)).toBe(lease.uid);
    expect(Number(gid)).toBe(lease.gid);
    expect(groups).toBe(String(lease.gid));
    for (const cap of ['CapEff', 'CapPrm', 'CapBnd', 'CapAmb'])
      expect(isolated.stdout).toMatch(new RegExp(`${cap}:\\s+0000000000000000`));
    expect(isolated.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(isolated.stdout).toContain('sandbox');
    lease.release();
  });

  it('keeps the host network by default and has none with network: none', async () => {
    const lease = w.pool.acquire('net');
    const dir = serviceDir(w.sandboxes, 'service_net', lease);
    const script = 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort | tr "\\n" ","';
    const host = await runUnderParent(shellPlan(dir, script, { lease }));
    const none = await runUnderParent(shellPlan(dir, script, { lease, network: 'none' }));
    expect(none.stdout).toBe('lo,');
    expect(host.stdout).not.toBe('lo,');
    lease.release();
  });

  it('contains a fork bomb (processes limit) and a memory hog (memory limit)', async () => {
    const lease = w.pool.acquire('bomb');
    const dir = serviceDir(w.sandboxes, 'service_bomb', lease);
    const limits = normalizeLimits({ processes: 30, memoryBytes: 256 * 1024 * 1024 });
    const bomb = [
      'import os, sys, time',
      'n = 0',
      'while True:',
      '    try:',
      '        pid = os.fork()',
      '    except OSError as e:',
      '        print(f"fork failed after {n}: {e.strerror}", flush=True); sys.exit(3)',
      '    if pid == 0:',
      '        time.sleep(60); os._exit(0)',
      '    n += 1',
    ].join('\n');
    writeFileSync(join(dir, 'bomb.py'), bomb);
    const forked = await runUnderParent(shellPlan(dir, 'exec /usr/bin/python3 bomb.py', { lease, limits }));
    expect(forked.stdout + forked.stderr).toMatch(/fork failed after/);
    expect(forked.code).toBe(3);
    const n = Number(/fork failed after (\d+)/.exec(forked.stdout)?.[1]);
    expect(n).toBeLessThan(30);
    // The sleepers die with the namespace (the kernel kills them once its init has gone).
    await vi.waitFor(() => expect(liveUids().has(lease.uid)).toBe(false), { timeout: 5_000, interval: 20 });

    writeFileSync(join(dir, 'hog.py'), 'chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n');
    const hog = await runUnderParent(shellPlan(dir, 'exec /usr/bin/python3 hog.py', { lease, limits }));
    expect(hog.code).toBe(1);
    expect(hog.stderr).toContain('MemoryError');
    lease.release();
  }, 30_000);

  it('leaves no grandchild behind when the main process ends, even one in its own session', async () => {
    const lease = w.pool.acquire('orphan');
    const dir = serviceDir(w.sandboxes, 'service_orphan', lease);
    const token = `${300 + Math.floor(Math.random() * 100)}.${Math.floor(Math.random() * 1000)}`;
    const run = await runUnderParent(
      shellPlan(dir, `setsid sleep ${token} > /dev/null 2>&1 & echo started; exit 0`, { lease }),
    );
    expect(run.stdout).toContain('started');
    const survivors = () =>
      listProcesses().filter((p) => {
        try {
          return readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').includes(token);
        } catch {
          return false;
        }
      });
    // The kernel ends the namespace with its init; on a loaded machine /proc may list a dying member a
    // moment longer. Surviving is staying: the sleep would run for minutes.
    await vi.waitFor(() => expect(survivors()).toEqual([]), { timeout: 5_000, interval: 20 });
    await vi.waitFor(() => expect(liveUids().has(lease.uid)).toBe(false), { timeout: 5_000, interval: 20 });
    lease.release();
  });

  it('leaves /tmp as it was', () => {
    assertTmpUntouched();
  });
});
