import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { startService } from '../../src/index.js';
import { collector } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

const PARENT_VARS = {
  PACTOWN_PFX_ONE: 'one',
  PACTOWN_PFX_TWO: 'two',
  PACTOWN_PFXNOT: 'not-under-the-prefix',
  PACTOWN_OTHER: 'other',
};

/** Runs a Node child that prints its environment as JSON, and returns it. */
async function childEnv(options: {
  envAllowList?: string[];
  env?: Record<string, string | number | undefined>;
}): Promise<Record<string, string>> {
  const log = collector();
  const proc = startService({
    isolation: 'none',
    serviceId: 'env-dump',
    command: process.execPath,
    args: ['-e', 'console.log(JSON.stringify(process.env))'],
    cwd: dir.path,
    onLog: log.onLog,
    ...options,
  });
  const report = await proc.ended;
  expect(report.exit.exitCode).toBe(0);
  return JSON.parse(log.records.find((r) => r.stream === 'stdout')!.message);
}

describe('the service environment', () => {
  beforeAll(() => {
    Object.assign(process.env, PARENT_VARS);
  });
  afterAll(() => {
    for (const name of Object.keys(PARENT_VARS)) delete process.env[name];
  });

  it('an envAllowList entry ending in * passes every parent variable with that prefix, and nothing else', async () => {
    const env = await childEnv({ envAllowList: ['PATH', 'PACTOWN_PFX_*'] });
    expect(env.PACTOWN_PFX_ONE).toBe('one');
    expect(env.PACTOWN_PFX_TWO).toBe('two');
    expect(env.PACTOWN_PFXNOT).toBeUndefined();
    expect(env.PACTOWN_OTHER).toBeUndefined();
    expect(env.PATH).toBe(process.env.PATH);
    // HOME is in the default list, not in this one.
    expect(process.env.HOME).toBeDefined();
    expect(env.HOME).toBeUndefined();
    // The name itself is exact without the star.
    const exact = await childEnv({ envAllowList: ['PACTOWN_PFX_'] });
    expect(exact.PACTOWN_PFX_ONE).toBeUndefined();
  });

  it('undefined in env removes a variable, whether allow-listed or our own PYTHONUNBUFFERED', async () => {
    expect(process.env.HOME).toBeDefined();
    const env = await childEnv({ env: { HOME: undefined, PYTHONUNBUFFERED: undefined, OWN: 7 } });
    expect(env.HOME).toBeUndefined();
    expect('PYTHONUNBUFFERED' in env).toBe(false);
    expect(env.OWN).toBe('7');
    expect(env.PATH).toBe(process.env.PATH);
  });

  it('sets PYTHONUNBUFFERED=1 unless the service sets it', async () => {
    expect((await childEnv({})).PYTHONUNBUFFERED).toBe('1');
    expect((await childEnv({ env: { PYTHONUNBUFFERED: '' } })).PYTHONUNBUFFERED).toBe('');
  });

  it('a Python line printed without flush arrives while the process still runs', async () => {
    // Python block-buffers a pipe: without PYTHONUNBUFFERED this line would wait for the exit.
    const script = 'import time\nprint("live line")\ntime.sleep(600)\n';
    const proc = startService({
      isolation: 'none',
      serviceId: 'py-live',
      command: 'python3',
      args: ['-c', script],
      cwd: dir.path,
    });
    try {
      const ready = await proc.waitReady({ pattern: /^live line$/, timeoutMs: 20_000 });
      expect(ready.ready).toBe(true);
      expect(proc.running).toBe(true);
    } finally {
      await proc.stop({ graceMs: 1000 });
    }
  });
});
