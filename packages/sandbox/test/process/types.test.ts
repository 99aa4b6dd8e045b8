import { describe, expectTypeOf, it } from 'vitest';
import type {
  Classification,
  DiedReport,
  ExitDescription,
  FailureCategory,
  ReadyResult,
  ServiceLogRecord,
  ServiceProcess,
  StartOptions,
  Suggestion,
} from '../../src/index.js';
import { classifyFailure, describeExit, startService } from '../../src/index.js';

describe('public types', () => {
  it('describeExit and classifyFailure', () => {
    expectTypeOf(describeExit).returns.toEqualTypeOf<ExitDescription>();
    expectTypeOf(describeExit).parameter(0).toEqualTypeOf<number | null | undefined>();
    expectTypeOf(classifyFailure).returns.toEqualTypeOf<Classification>();
    expectTypeOf<Classification['category']>().toEqualTypeOf<FailureCategory>();
    expectTypeOf<Suggestion>().toEqualTypeOf<{
      action: string;
      description: string;
      command?: string;
      autoFixable: boolean;
    }>();
  });

  it('ServiceProcess', () => {
    expectTypeOf(startService).returns.toEqualTypeOf<ServiceProcess>();
    expectTypeOf<ServiceProcess['pid']>().toEqualTypeOf<number | null>();
    expectTypeOf<ServiceProcess['waitReady']>().returns.toEqualTypeOf<Promise<ReadyResult>>();
    expectTypeOf<ServiceProcess['stop']>().returns.toEqualTypeOf<Promise<DiedReport>>();
    expectTypeOf<StartOptions['onLog']>().toEqualTypeOf<((record: ServiceLogRecord) => void) | undefined>();
  });

  it('ReadyResult narrows on ready', () => {
    const check = (r: ReadyResult): void => {
      if (r.ready) expectTypeOf(r.kind).toEqualTypeOf<'http' | 'port' | 'pattern'>();
      else {
        expectTypeOf(r.reason).toEqualTypeOf<'died' | 'timeout' | 'aborted'>();
        expectTypeOf(r.report).toEqualTypeOf<DiedReport | null>();
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it('DiedReport has the agreed fields', () => {
    expectTypeOf<keyof DiedReport>().toEqualTypeOf<
      | 'serviceId'
      | 'pid'
      | 'command'
      | 'cwd'
      | 'envDir'
      | 'exit'
      | 'message'
      | 'category'
      | 'suggestions'
      | 'stderrTail'
      | 'stderrDroppedBytes'
      | 'stdoutTail'
      | 'stdoutDroppedBytes'
      | 'files'
      | 'startedAt'
      | 'endedAt'
      | 'durationMs'
    >();
    expectTypeOf<ExitDescription['code']>().toEqualTypeOf<number | null>();
  });
});
