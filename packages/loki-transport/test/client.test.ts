import { describe, expect, it } from 'vitest';
import { receiverFixture } from './helpers/fixture.js';

const fx = receiverFixture({ labels: { service: 'api' }, minBackoff: 20, maxBackoff: 200 });
const { client, warnings } = fx;

function record(i: number, extra: Record<string, unknown> = {}) {
  return { level: 30, time: Date.now(), name: 'pactown.test', msg: `line ${i}`, pid: 1, hostname: 'h', ...extra };
}

describe('delivery', () => {
  it('groups records into one stream per label set and keeps same-millisecond order', async () => {
    const c = client();
    const time = Date.now();
    for (let i = 0; i < 50; i++) c.push(record(i, { time, level: i % 2 ? 30 : 50 }));
    await c.flush();
    const entries = fx.receiver.entries();
    expect(entries).toHaveLength(50);
    expect(new Set(entries.map((e) => e.stream))).toEqual(
      new Set([
        '{level="error", logger="pactown.test", service="api"}',
        '{level="info", logger="pactown.test", service="api"}',
      ]),
    );
    expect(fx.receiver.stats().push['application/x-protobuf']?.requests).toBe(1);
    const info = entries.filter((e) => e.labels.level === 'info');
    const stamps = info.map((e) => e.timestampNs);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]! > stamps[i - 1]!).toBe(true);
    expect(info.map((e) => e.line)).toEqual(
      Array.from({ length: 25 }, (_, i) => `level=info logger=pactown.test msg="line ${2 * i + 1}"`),
    );
    expect(stamps[0]! / 1_000_000n).toBe(BigInt(time));
    expect(c.metrics().sentLines).toBe(50);
  });

  it('sends as soon as the logger goes quiet, but not while it holds more input', async () => {
    const c = client({ batchWait: 5_000 });
    const requests = () => fx.receiver.stats().push['application/x-protobuf']?.requests ?? 0;
    c.pushLine(JSON.stringify(record(1)));
    // Idle sender, nothing more to come: out at once rather than after batchWait.
    await fx.receiver.waitForEntries(1, 2_000);
    c.hold?.(true);
    for (let i = 2; i <= 10; i++) c.pushLine(JSON.stringify(record(i)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requests()).toBe(1);
    c.hold?.(false);
    await fx.receiver.waitForEntries(10, 2_000);
    expect(requests()).toBe(2);
    expect(fx.receiver.entries().map((e) => e.line)).toContain('level=info logger=pactown.test msg="line 10"');
  });

  it('coalesces a steady trickle into about one request per idleSendGap, the first line still at once', async () => {
    const requests = () => fx.receiver.stats().push['application/x-protobuf']?.requests ?? 0;
    const trickle = async (c: ReturnType<typeof client>, ms: number) => {
      const t0 = performance.now();
      for (let i = 0; performance.now() - t0 < ms; i++) {
        c.pushLine(JSON.stringify(record(i)));
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await c.flush();
    };
    const c = client({ batchWait: 5_000 });
    const t0 = performance.now();
    c.pushLine(JSON.stringify(record(-1)));
    await fx.receiver.waitForEntries(1, 2_000);
    expect(performance.now() - t0).toBeLessThan(1_000);
    await trickle(c, 600);
    // About 6 gaps of 100 ms in 600 ms (the flush sends the rest); without the gap, a request every line or two.
    expect(requests()).toBeLessThanOrEqual(10);
    expect(c.metrics().sentLines).toBe(fx.receiver.entryCount);
    fx.receiver.reset();
    // idleSendGap: 0 is the old rule: a request whenever the sender is idle.
    await trickle(client({ batchWait: 5_000, idleSendGap: 0 }), 600);
    expect(requests()).toBeGreaterThan(20);
  });

  it('a promoted label value with a lone surrogate or U+FFFD becomes "?", so Loki takes the batch', async () => {
    const c = client();
    c.push(record(1, { name: 'svc\uD800' }));
    c.push(record(2, { name: 'svc\uFFFD' }));
    c.push(record(3, { name: 'plain' }));
    await c.flush();
    expect(c.metrics().droppedLines.rejected).toBe(0);
    expect(c.metrics().sentLines).toBe(3);
    expect(c.metrics().relabelledLines).toBe(2);
    expect(
      fx.receiver
        .entries()
        .map((e) => e.labels.logger)
        .sort(),
    ).toEqual(['plain', 'svc?', 'svc?']);
  });

  it('a static label value with U+FFFD is a TypeError naming it (Loki would refuse every batch)', () => {
    expect(() => client({ labels: { service: 'api\uFFFD' } })).toThrow(/'labels\.service'.*U\+FFFD/);
  });

  it('sends JSON, gzip or not, with structured metadata', async () => {
    for (const gzip of [false, true]) {
      fx.receiver.reset();
      const c = client({ wire: 'json', gzip });
      c.push(record(1, { userId: 'user123', trace_id: 'abc' }));
      await c.flush();
      const [e] = fx.receiver.entries();
      expect(e!.line).toBe('level=info logger=pactown.test msg="line 1" user=user123 trace_id=abc');
      expect(e!.structuredMetadata).toEqual({ userId: 'user123', trace_id: 'abc' });
      expect(Object.keys(fx.receiver.stats().push)).toEqual(['application/json']);
    }
  });

  it('makes every LogQL query of the seed document match', async () => {
    const c = client();
    const sec = (fields: Record<string, unknown>, msg: string, level = 30, name = 'pactown.security') =>
      c.push({ level, time: Date.now(), name, msg, ...fields });
    sec({ userId: 'user123', serviceId: 'service_456' }, 'Security check for user123 starting service_456');
    sec({ user: 'user123', anomaly: 'RATE_LIMIT_EXCEEDED' }, 'Rate limit exceeded', 40);
    sec({ user_id: 'user9', anomaly: 'CONCURRENT_LIMIT_EXCEEDED' }, 'Too many services', 40);
    sec(
      { service: 'service_123', stream: 'stderr' },
      "ModuleNotFoundError: No module named 'missing_module'",
      50,
      'pactown.sandbox',
    );
    sec({ service: 'service_123' }, 'Process started with PID: 12345', 30, 'pactown.sandbox');
    sec({}, 'Cache hit: venv_a1b2c3d4', 20, 'pactown.fast_start');
    await c.flush();
    const lines = (q: string) => fx.receiver.query(q).result.flatMap((s) => s.values.map((v) => v[1]));
    expect(lines('{service="api"} |~ "user=user123"')).toHaveLength(2);
    expect(lines('{service="api"} |~ "RATE_LIMIT|CONCURRENT"')).toHaveLength(2);
    expect(lines('{service="api"} |~ "(?i)(error|exception|failed|stderr)"')).toEqual([
      expect.stringContaining('ModuleNotFoundError'),
    ]);
    expect(lines('{service="api"} |~ "(sandbox|service_|PID|Starting|Process)"').length).toBeGreaterThanOrEqual(3);
    expect(lines('{service="api", logger="pactown.fast_start"}')).toHaveLength(1);
  });

  it('truncates a line longer than the limit with a marker (the server would refuse it)', async () => {
    const c = client();
    c.push(record(1, { msg: 'x'.repeat(300_000) }));
    await c.flush();
    const [e] = fx.receiver.entries();
    expect(Buffer.byteLength(e!.line)).toBeLessThanOrEqual(256_000);
    expect(e!.line.endsWith('…[truncated]')).toBe(true);
    expect(c.metrics().truncatedLines).toBe(1);
  });

  it('drops an over-long line when asked, counted as too_long', async () => {
    const c = client({ lineTooLong: 'drop', maxLineBytes: 100 });
    c.push(record(1, { msg: 'x'.repeat(200) }));
    c.push(record(2));
    await c.flush();
    expect(fx.receiver.entries()).toHaveLength(1);
    expect(c.metrics().droppedLines.too_long).toBe(1);
  });

  it('sends by size before the age limit', async () => {
    const c = client({ batchBytes: 2000, batchWait: 60_000 });
    for (let i = 0; i < 100; i++) c.push(record(i));
    await fx.receiver.waitForEntries(90, 20_000);
    expect(fx.receiver.stats().push['application/x-protobuf']!.requests).toBeGreaterThan(2);
  });

  it('sends by age', async () => {
    // Without sendWhenIdle the batch waits for batchWait (it would go at once otherwise).
    const c = client({ batchWait: 1000, sendWhenIdle: false });
    const t0 = performance.now();
    c.push(record(1));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(fx.receiver.entries()).toHaveLength(0);
    expect(c.metrics().pendingLines).toBe(1);
    await fx.receiver.waitForEntries(1, 20_000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(980);
    expect(fx.receiver.stats().push['application/x-protobuf']?.requests).toBe(1);
    await c.flush();
    expect(c.metrics().sentLines).toBe(1);
  });

  it('sends tenant, auth and custom headers; ready() works', async () => {
    await fx.restart({ multiTenant: true });
    const bad = client({ metricsInterval: 0 });
    bad.push(record(1));
    await bad.flush();
    expect(bad.metrics().droppedLines.rejected).toBe(1);
    expect(warnings.join('\n')).toMatch(/HTTP 401/);
    const c = client({ tenant: 'team-a', bearerToken: 'tok', headers: { 'X-Extra': '1' } });
    expect(await c.ready()).toBe(true);
    c.push(record(2));
    await c.flush();
    expect(fx.receiver.entries('team-a')).toHaveLength(1);
  });
});
