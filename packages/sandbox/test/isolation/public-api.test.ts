import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/index.js';
import type {
  IsolationMode,
  NetworkMode,
  ResourceLimits,
  ServiceRunnerOptions,
  StartOptions,
} from '../../src/index.js';

const exported: Record<string, unknown> = { ...api };

describe('public API of isolation', () => {
  it('exports the isolation helpers by name', () => {
    for (const name of [
      'resolveIsolation',
      'probeBwrap',
      'UidPool',
      'createServiceDir',
      'IsolationError',
      'Supervisor',
      'normalizeRestart',
    ]) {
      expect(typeof exported[name], name).toBe('function');
    }
    for (const code of ['ISOLATION_UNAVAILABLE', 'UID_EXHAUSTED', 'OWNERSHIP_REFUSED', 'BAD_MOUNT'] as const) {
      expect(api.CODES[code]).toBe(`PACTOWN_SANDBOX_${code}`);
    }
    expect(api.DEFAULT_LIMITS.processes).toBe(256);
  });

  it('takes the same isolation options in startService and the runner', () => {
    expectTypeOf<StartOptions['isolation']>().toEqualTypeOf<IsolationMode | undefined>();
    expectTypeOf<ServiceRunnerOptions['isolation']>().toEqualTypeOf<IsolationMode | undefined>();
    expectTypeOf<IsolationMode>().toEqualTypeOf<'namespaces' | 'none'>();
    expectTypeOf<StartOptions['network']>().toEqualTypeOf<NetworkMode | undefined>();
    expectTypeOf<ServiceRunnerOptions['limits']>().toEqualTypeOf<ResourceLimits | undefined>();
  });

  it('the runner rejects bad isolation options when it is made', () => {
    expect(() => new api.ServiceRunner({ sandboxesDir: '/nonexistent-pactown', isolation: 'chroot' as never })).toThrow(
      /isolation.*'namespaces' or 'none'/,
    );
    expect(() => new api.ServiceRunner({ sandboxesDir: '/nonexistent-pactown', network: 'off' as never })).toThrow(
      /network.*'host' or 'none'/,
    );
    expect(() => new api.ServiceRunner({ sandboxesDir: '/nonexistent-pactown', limits: { memoryBytes: 5 } })).toThrow(
      /limits.memoryBytes/,
    );
  });
});
