import type pino from 'pino';
import { describe, expectTypeOf, it } from 'vitest';
import {
  callbackHandler,
  configure,
  createHandler,
  createRedactor,
  type Formatter,
  getLogger,
  type Handler,
  type LevelInput,
  type Logger,
  type LogRecord,
  parseLevel,
  patternFormatter,
  transportHandler,
} from '../src/index.js';

/** Fastify's `FastifyBaseLogger`, restated: what `loggerInstance` must satisfy. */
type FastifyBaseLogger = pino.BaseLogger & {
  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): FastifyBaseLogger;
};

describe('public types', () => {
  it('a named logger is a pino Logger and a Fastify logger', () => {
    const log = getLogger('types');
    expectTypeOf(log).toExtend<pino.Logger>();
    expectTypeOf(log).toExtend<FastifyBaseLogger>();
    expectTypeOf(log.child({ service: 'x' })).toEqualTypeOf<Logger>();
    expectTypeOf(log.warning).toEqualTypeOf<pino.LogFn>();
    expectTypeOf(log.critical).toEqualTypeOf<pino.LogFn>();
    expectTypeOf(log.setLevel).parameter(0).toEqualTypeOf<LevelInput>();
    expectTypeOf(log.getEffectiveLevel).returns.toBeNumber();
    expectTypeOf(log.propagate).toBeBoolean();
    expectTypeOf(log.loggerName).toBeString();
    const asPino: pino.Logger = log;
    void asPino;
  });

  it('handlers and formatters keep the contract shapes', () => {
    expectTypeOf(callbackHandler(() => {})).toExtend<Handler>();
    expectTypeOf(transportHandler).returns.toExtend<Handler>();
    expectTypeOf(createHandler)
      .parameter(0)
      .toHaveProperty('emit')
      .toEqualTypeOf<(line: string, record: LogRecord) => void>();
    expectTypeOf(patternFormatter()).toEqualTypeOf<Formatter>();
    expectTypeOf(parseLevel).returns.toBeNumber();
    expectTypeOf(createRedactor().redactText).toEqualTypeOf<(text: string) => string>();
    expectTypeOf(configure).returns.toHaveProperty('handlers');
  });

  it('a logger is also usable at runtime where pino is expected', () => {
    const log: pino.Logger = getLogger('types.runtime');
    const child = log.child({ reqId: 1 });
    child.info('fine');
    expectTypeOf(child).toExtend<pino.Logger>();
  });
});
