import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/index.js';
import type { IsolationMode, NetworkMode, ResourceLimits, ServiceRunnerOptions, StartOptions } from '../../src/index.js';

const exported: Record<string, unknown> = { ...api };

describe('public API of isolation', () => {
  it('exports the isolation helpers by name', () => {
    for (const name of ['resolveIsolation', 'probeBwrap', 'UidPool', 'createServiceDir', 'handOverServiceDir', 'reclaimServiceDir', 'IsolationError', 'buildManifest', 'checkManifest', 'writeManifest', 'Supervisor', 'normalizeRestart']) {
      expect(typeof exported[name], name).toBe('function');
    }
    expect(Object.isFrozen(api.ISOLATION_CODES)).toBe(true);
    expect(Object.values(api.ISOLATION_CODES).every((code) => code.startsWith('PACTOWN_SANDBOX_'))).toBe(true);
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
    expect(() => new api.ServiceRunner({ sandboxesDir: '/nonexistent-pactown', isolation: 'chroot' as never })).toThrow(/isolation must be 'namespaces' or 'none'/);
    expect(() => new api.ServiceRunner({ sandboxesDir: '/nonexistent-pactown', network: 'off' as never })).toThrow(/network must be 'host' or 'none'/);
    expect(() => new api.ServiceRunner({ sandboxesDir: '/nonexistent-pactown', limits: { memoryBytes: 5 } })).toThrow(/limits.memoryBytes/);
  });
});
