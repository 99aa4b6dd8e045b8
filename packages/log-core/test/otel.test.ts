import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLogger, jsonFormatter } from '../src/index.js';
import { collector, uniqueName } from './helpers.js';

describe('OpenTelemetry correlation', () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    manager.enable();
    context.setGlobalContextManager(manager);
    trace.setGlobalTracerProvider(new BasicTracerProvider());
  });
  afterAll(() => {
    context.disable();
    trace.disable();
  });

  it('records logged inside an active span carry trace_id, span_id and trace_flags; outside, none', () => {
    const { handler, records } = collector();
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    const tracer = trace.getTracer('log-core-test');
    let ids: { traceId: string; spanId: string; traceFlags: number } | undefined;
    tracer.startActiveSpan('work', (span) => {
      ids = span.spanContext();
      log.info({ port: 1 }, 'inside');
      log.child({ service: 's' }).warn('inside child');
      span.end();
    });
    log.info('outside');
    expect(records[0]!.fields).toEqual({ port: 1, trace_id: ids!.traceId, span_id: ids!.spanId, trace_flags: '01' });
    expect(records[1]!.fields).toMatchObject({ service: 's', trace_id: ids!.traceId });
    expect(records[2]!.fields).toEqual({});
    expect(JSON.parse(jsonFormatter()(records[0]!)).trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
