import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  DEFAULTS,
  type LokiQueryData,
  type LokiReceiver,
  type LokiReceiverOptions,
  type ReceivedEntry,
  startLokiReceiver,
} from '../src/index.js';
import { normalizeOptions } from '../src/options.js';

describe('options', () => {
  it('defaults follow Loki', () => {
    expect(DEFAULTS).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      multiTenant: false,
      maxBodyBytes: 100 * 1024 * 1024,
      maxLineSize: 262_144,
      maxLabelNamesPerSeries: 15,
      rejectOldSamplesMaxAgeMs: 7 * 24 * 3600 * 1000,
      creationGracePeriodMs: 10 * 60 * 1000,
      outOfOrderWindowMs: 3600 * 1000,
      maxStructuredMetadataSize: 65_536,
      maxStructuredMetadataEntries: 128,
    });
  });

  it('throws TypeError naming the option and the bad value', () => {
    expect(() => normalizeOptions({ port: -1 })).toThrow(TypeError);
    expect(() => normalizeOptions({ port: -1 })).toThrow(/option 'port' .* got -1/);
    expect(() => normalizeOptions({ maxLineSize: Number.NaN })).toThrow(/'maxLineSize'/);
    expect(() => normalizeOptions({ multiTenant: 'yes' as unknown as boolean })).toThrow(
      /'multiTenant' must be a boolean, got "yes"/,
    );
    expect(() => normalizeOptions({ discoverServiceName: [''] })).toThrow(/discoverServiceName/);
    expect(() => normalizeOptions({ port: -1 })).toThrow(
      expect.objectContaining({ code: 'PACTOWN_RECEIVER_INVALID_OPTION' }),
    );
  });

  it('refuses unknown options with the nearest valid name and a code', () => {
    const attempt = () => normalizeOptions({ portt: 1 } as LokiReceiverOptions);
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(
      "[@pactown/loki-receiver] unknown option 'portt' in startLokiReceiver() options (did you mean 'port'?)",
    );
    expect(attempt).toThrow(expect.objectContaining({ code: 'PACTOWN_RECEIVER_UNKNOWN_OPTION' }));
    expect(() => normalizeOptions({ maxLineSise: 1 } as LokiReceiverOptions)).toThrow("(did you mean 'maxLineSize'?)");
  });

  it("sets the burst to 1.5x a configured rate and the stream burst to 5x, as Loki's defaults", () => {
    expect(normalizeOptions({ ingestionRateBytes: 4_000_000 }).ingestionBurstBytes).toBe(6_000_000);
    expect(normalizeOptions({ perStreamRateBytes: 3_000_000 }).perStreamBurstBytes).toBe(15_000_000);
  });

  it('adds service_name like Loki 3 when discoverServiceName is on', async () => {
    const r = await startLokiReceiver({ discoverServiceName: true });
    try {
      const ts = `${BigInt(Date.now()) * 1_000_000n}`;
      const body = JSON.stringify({
        streams: [
          { stream: { app: 'web' }, values: [[ts, 'a']] },
          { stream: { env: 'x' }, values: [[ts, 'b']] },
        ],
      });
      const res = await fetch(r.pushUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(res.status).toBe(204);
      expect(
        r
          .entries()
          .map((e) => e.labels.service_name)
          .sort(),
      ).toEqual(['unknown_service', 'web']);
    } finally {
      await r.close();
    }
  });
});

describe('public API types', () => {
  it('matches the agreed contract', () => {
    expectTypeOf(startLokiReceiver).parameter(0).toEqualTypeOf<LokiReceiverOptions | undefined>();
    expectTypeOf(startLokiReceiver).returns.toEqualTypeOf<Promise<LokiReceiver>>();
    expectTypeOf<LokiReceiver['url']>().toEqualTypeOf<string>();
    expectTypeOf<LokiReceiver['close']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<Parameters<LokiReceiver['failNext']>[0]>().toEqualTypeOf<number>();
    expectTypeOf<Parameters<LokiReceiver['failNext']>[1]>().toEqualTypeOf<number>();
    expectTypeOf<LokiReceiver['setLatency']>().parameter(0).toEqualTypeOf<number>();
    expectTypeOf<LokiReceiver['down']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<LokiReceiver['up']>().returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<LokiReceiver['entries']>().returns.toEqualTypeOf<ReceivedEntry[]>();
    expectTypeOf<LokiReceiver['query']>().parameter(0).toEqualTypeOf<string>();
    expectTypeOf<LokiReceiver['query']>().returns.toEqualTypeOf<LokiQueryData>();
  });
});
