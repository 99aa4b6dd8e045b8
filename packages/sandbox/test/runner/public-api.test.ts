import { describe, expect, expectTypeOf, it } from 'vitest';
import * as api from '../../src/index.js';

const exported: Record<string, unknown> = { ...api };
import type {
  DiedReport,
  OnLogCallback,
  RunOptions,
  RunResult,
  ServiceInfo,
  ServiceLogRecord,
  ServiceRunner,
  ServiceRunnerEvents,
  StopResult,
} from '../../src/index.js';

describe('public API of the service runner', () => {
  it('exports the runner and its helpers by name', () => {
    for (const name of [
      'ServiceRunner',
      'loadService',
      'parseMarkpact',
      'parseServiceObject',
      'guessRunCommand',
      'assertServiceId',
      'createSandbox',
      'safeWriteFile',
      'SandboxPathError',
      'EnvCache',
      'cacheKey',
      'DependencyError',
      'prepareEnvironment',
    ] as const) {
      expect(typeof exported[name], name).toBe('function');
    }
  });

  it('has the shapes the app relies on', () => {
    expectTypeOf<ServiceRunner['runFromContent']>().parameter(0).toEqualTypeOf<RunOptions>();
    expectTypeOf<ServiceRunner['runFromContent']>().returns.resolves.toEqualTypeOf<RunResult>();
    expectTypeOf<ServiceRunner['stop']>().returns.resolves.toEqualTypeOf<StopResult>();
    expectTypeOf<ServiceRunner['list']>().returns.toEqualTypeOf<ServiceInfo[]>();
    expectTypeOf<ServiceRunner['get']>().returns.toEqualTypeOf<ServiceInfo | undefined>();
    expectTypeOf<RunResult['diedReport']>().toEqualTypeOf<DiedReport | undefined>();
    expectTypeOf<RunResult>().toHaveProperty('stderrOutput').toEqualTypeOf<string>();
    // One signature: the record, with its text in `message`.
    expectTypeOf<OnLogCallback>().toEqualTypeOf<(record: ServiceLogRecord) => void>();
    expectTypeOf<ServiceRunnerEvents['died']>().toEqualTypeOf<[report: DiedReport]>();
    expectTypeOf<ServiceRunnerEvents['log']>().toEqualTypeOf<[serviceId: string, record: ServiceLogRecord]>();
  });
});
