import { afterEach, describe, expect, it } from 'vitest';
import { buildLaunch } from '../../src/process/isolation/launch.js';
import { DEFAULT_LIMITS } from '../../src/process/isolation/limits.js';
import { resetFallbackWarnings, resolveIsolation } from '../../src/process/isolation/mode.js';
import { probeBwrap } from '../../src/process/isolation/probe.js';
import { probe } from './helpers.js';

function warnings() {
  const calls: Array<{ obj: object; msg: string }> = [];
  return { calls, logger: { warn: (obj: object, msg: string) => calls.push({ obj, msg }) } };
}

describe('isolation mode', () => {
  afterEach(() => resetFallbackWarnings());

  it.skipIf(!probe.ok)("defaults to 'namespaces' where bwrap works", () => {
    const { calls, logger } = warnings();
    expect(resolveIsolation(undefined, { logger })).toMatchObject({ mode: 'namespaces', fellBack: false });
    expect(resolveIsolation('namespaces', { logger }).mode).toBe('namespaces');
    expect(calls).toEqual([]);
  });

  it("falls back to 'none' with one warning that says why and how to fix it", () => {
    const { calls, logger } = warnings();
    const name = 'pactown-no-such-bwrap';
    expect(resolveIsolation(undefined, { logger, bwrap: name })).toMatchObject({ mode: 'none', fellBack: true });
    expect(resolveIsolation(undefined, { logger, bwrap: name }).mode).toBe('none');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.msg).toMatch(/pactown-no-such-bwrap was not found on PATH/);
    expect(calls[0]!.msg).toMatch(/apt-get install bubblewrap/);
    expect(calls[0]!.obj).toMatchObject({ isolation: 'none' });
  });

  it("refuses an explicit 'namespaces' that cannot work, and never probes for 'none'", () => {
    expect(() => resolveIsolation('namespaces', { bwrap: 'pactown-no-such-bwrap' })).toThrow(
      expect.objectContaining({ code: 'PACTOWN_SANDBOX_ISOLATION_UNAVAILABLE' }),
    );
    expect(resolveIsolation('none', { bwrap: 'pactown-no-such-bwrap' })).toEqual({
      mode: 'none',
      probe: null,
      fellBack: false,
    });
    expect(() => resolveIsolation('container' as never)).toThrow(
      /isolation must be 'namespaces' or 'none', got "container"/,
    );
  });

  it('reports a bwrap that runs but cannot make the sandbox', () => {
    // /bin/false stands in for a bwrap that is present but refused by the kernel (exit 1, as bwrap does).
    const result = probeBwrap('/bin/false');
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/could not create the sandbox \(exit 1\)/);
    expect(result.fix).toBeTruthy();
  });

  it('caches the probe', () => {
    expect(probeBwrap()).toBe(probeBwrap());
  });
});

describe('bwrap arguments', () => {
  const plan = (over: Partial<Parameters<typeof buildLaunch>[0]> = {}) =>
    buildLaunch({
      file: 'node',
      args: ['server.js'],
      cwd: `${process.cwd()}/test`,
      env: { PATH: '/usr/bin', MARKPACT_PORT: '8001' },
      identity: { uid: 200_001, gid: 200_001 },
      limits: DEFAULT_LIMITS,
      bwrap: '/usr/bin/bwrap',
      ...over,
    });

  it('has the namespaces, the session, the die-with-parent, the fresh /proc and the explicit environment', () => {
    const { file, args, env } = plan();
    expect(file).toBe('/usr/bin/bwrap');
    expect(env).toEqual({});
    for (const flag of [
      '--unshare-pid',
      '--unshare-ipc',
      '--unshare-uts',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
    ])
      expect(args).toContain(flag);
    expect(args).not.toContain('--unshare-net');
    expect(args.join(' ')).toContain('--proc /proc');
    expect(args.join(' ')).toContain('--setenv MARKPACT_PORT 8001');
    expect(args.join(' ')).toContain(
      '--reuid=200001 --regid=200001 --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs -- node server.js',
    );
    expect(args.join(' ')).toContain('--ro-bind /usr /usr');
    expect(args.join(' ')).not.toMatch(/--bind \/ |--ro-bind \/ /);
    expect(args.join(' ')).not.toContain('/etc/passwd');
  });

  it("unshares the network for network: 'none' and uses a user namespace when not root", () => {
    expect(plan({ network: 'none' }).args).toContain('--unshare-net');
    const unprivileged = plan({ identity: null }).args.join(' ');
    expect(unprivileged).toContain('--unshare-user --disable-userns --cap-drop ALL');
    expect(unprivileged).not.toContain('setpriv');
    expect(unprivileged).not.toContain('--nproc');
  });

  it('refuses a shared folder, a missing one and a bad variable', () => {
    for (const cwd of ['/', '/tmp', '/root', '/work', 'relative', '/does/not/exist']) {
      expect(() => plan({ cwd })).toThrow(expect.objectContaining({ code: 'PACTOWN_SANDBOX_BAD_MOUNT' }));
    }
    expect(() => plan({ readOnlyPaths: ['/usr'] })).toThrow(/shared folder/);
    expect(() => plan({ env: { 'A=B': 'x' } })).toThrow(/cannot be passed/);
  });
});
