import type { LokiReceiver } from '@pactown/loki-receiver';
import { startLokiReceiver } from './helpers/receiver.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LokiOptions } from '../src/index.js';

export type Level = 'debug' | 'info' | 'warning' | 'error' | 'critical';

/** One way of shipping logs (pino worker, winston, log-core handler, CLI), driven the same way. */
export interface Face {
  log(level: Level, logger: string, msg: string, fields?: Record<string, unknown>): void;
  logError(logger: string, msg: string, err: Error): void;
  /** Ends the face the way its users would; resolves once it has finished. */
  end(): Promise<void>;
}

export type FaceFactory = (options: LokiOptions) => Promise<Face>;

/** The contract every face meets, against a real Loki-compatible receiver (unstorage's testDriver style). */
export function runConformance(name: string, createFace: FaceFactory): void {
  describe(`conformance: ${name}`, () => {
    let receiver: LokiReceiver;
    let face: Face | undefined;
    const open = async (extra: Partial<LokiOptions> = {}) => {
      face = await createFace({
        url: receiver.url,
        labels: { service: 'api' },
        metricsInterval: 0,
        batchWait: 60_000,
        ...extra,
      });
      return face;
    };
    beforeEach(async () => {
      receiver = await startLokiReceiver();
    });
    afterEach(async () => {
      await receiver.close();
    });

    it('delivers every line on end(), one stream per label set, logfmt lines, order kept', async () => {
      const f = await open();
      const levels: Level[] = ['debug', 'info', 'warning', 'error', 'critical'];
      for (let i = 0; i < 500; i++)
        f.log(levels[i % 5]!, i % 2 ? 'pactown.sandbox' : 'pactown.security', `message ${i}`, { n: i });
      await f.end();
      const entries = receiver.entries();
      expect(entries).toHaveLength(500);
      const streams = new Set(entries.map((e) => e.stream));
      expect(streams.size).toBe(10);
      expect(streams).toContain('{level="warning", logger="pactown.security", service="api"}');
      const security = entries.filter((e) => e.labels.logger === 'pactown.security' && e.labels.level === 'debug');
      expect(security.map((e) => e.line)).toEqual(
        Array.from({ length: 50 }, (_, k) => `level=debug logger=pactown.security msg="message ${k * 10}" n=${k * 10}`),
      );
      for (let i = 1; i < security.length; i++)
        expect(security[i]!.timestampNs > security[i - 1]!.timestampNs).toBe(true);
    });

    it('makes the seed document’s LogQL queries match', async () => {
      const f = await open();
      f.log('info', 'pactown.security', 'Security check for user123 starting service_456', { userId: 'user123' });
      f.log('warning', 'pactown.security', 'RATE_LIMIT_EXCEEDED | user=user123 service=service_456 | 61/60 requests', {
        anomaly: 'RATE_LIMIT_EXCEEDED',
      });
      f.log('warning', 'pactown.security', 'Too many services', {
        anomaly: 'CONCURRENT_LIMIT_EXCEEDED',
        user: 'user7',
      });
      f.log('info', 'pactown.sandbox', 'Process started with PID: 12345', { service: 'service_123' });
      f.log('error', 'pactown.sandbox', "ModuleNotFoundError: No module named 'missing_module'", {
        service: 'service_123',
        stream: 'stderr',
      });
      f.log('debug', 'pactown.fast_start', 'Cache hit: venv_a1b2c3d4');
      await f.end();
      const count = (q: string) => receiver.query(q).result.reduce((n, s) => n + s.values.length, 0);
      expect(count('{service="api"} |~ "user=user123"')).toBe(2);
      expect(count('{service="api"} |~ "RATE_LIMIT|CONCURRENT"')).toBe(2);
      expect(count('{service="api"} |~ "(?i)(error|exception|failed|stderr)"')).toBe(1);
      expect(count('{service="api"} |~ "(sandbox|service_|PID|Starting|Process)"')).toBe(4);
      // The static label wins; the record's own service id stays in the line.
      expect(count('{service="api"} |= "service=service_123"')).toBe(2);
    });

    it('ships errors with type, message and stack', async () => {
      const f = await open();
      f.logError('pactown.sandbox', 'Process died', new TypeError('boom'));
      await f.end();
      const [e] = receiver.entries();
      expect(e!.labels.level).toBe('error');
      expect(e!.line).toContain('err.type=TypeError');
      expect(e!.line).toContain('err.message=boom');
      expect(e!.line).toMatch(/err\.stack="TypeError: boom\\n {4}at /);
    });

    it('sends high-cardinality fields as structured metadata', async () => {
      const f = await open();
      f.log('info', 'pactown.security', 'check', { userId: 'user123', trace_id: 't-1' });
      await f.end();
      const [e] = receiver.entries();
      expect(e!.structuredMetadata).toEqual({ userId: 'user123', trace_id: 't-1' });
      expect(Object.keys(e!.labels).sort()).toEqual(['level', 'logger', 'service']);
    });

    it('sends the trace_id, span_id and trace_flags log-core takes from an active span as structured metadata, by default', async () => {
      const f = await open();
      const trace = { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', trace_flags: '01' };
      f.log('info', 'pactown.api', 'traced', trace);
      await f.end();
      const [e] = receiver.entries();
      expect(e!.structuredMetadata).toEqual(trace);
    });

    it('speaks JSON with gzip too', async () => {
      const f = await open({ wire: 'json', gzip: true, format: 'json' });
      f.log('info', 'pactown.sandbox', 'hello', { port: 8001 });
      await f.end();
      expect(Object.keys(receiver.stats().push)).toEqual(['application/json']);
      expect(JSON.parse(receiver.entries()[0]!.line)).toMatchObject({
        level: 'info',
        logger: 'pactown.sandbox',
        msg: 'hello',
        port: 8001,
      });
    });
  });
}
