import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { getLogger } from '@pactown/log-core';
import type { LokiReceiver } from '@pactown/loki-receiver';
import { startLokiReceiver } from './helpers/receiver.js';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LokiMetrics } from '../src/index.js';
import { lokiHandler } from '../src/log-core.js';
import { waitFor } from '@pactown/test-helpers';

let receiver: LokiReceiver;
beforeEach(async () => {
  receiver = await startLokiReceiver();
});
afterEach(async () => {
  await receiver.close();
});

describe('counters as records on pactown.loki', () => {
  it('log-core face: periodic records on the pactown.loki logger', async () => {
    const handler = lokiHandler({ url: receiver.url, labels: { service: 'api' }, metricsInterval: 100 });
    const seen: Array<Record<string, unknown>> = [];
    const app = getLogger('metricsapp');
    app.propagate = false;
    app.setLevel('INFO');
    app.addHandler(handler);
    const lokiLogger = getLogger('pactown.loki');
    lokiLogger.setLevel('INFO');
    const spy = {
      name: 'spy',
      level: 0,
      errors: 0,
      setLevel() {},
      handle: (r: any) => r.name === 'pactown.loki' && seen.push(r.fields),
      flush: async () => {},
      close: async () => {},
    };
    lokiLogger.addHandler(spy);
    app.info('one line');
    await waitFor(() => seen.some((f) => f.sentLines === 1), 'a counters record with sentLines 1', 30_000);
    lokiLogger.removeHandler(spy);
    app.removeHandler(handler);
    await handler.close();
    expect(seen.at(-1)).toMatchObject({ sentLines: 1, droppedLines: 0, retries: 0 });
  });

  it('pino face: a pactown.loki line in Loki and a lokiMetrics event in the main thread', async () => {
    const transport = pino.transport({
      target: '@pactown/loki-transport',
      options: { url: receiver.url, labels: { service: 'api' }, metricsInterval: 200 },
    });
    const events: LokiMetrics[] = [];
    transport.on('lokiMetrics', (m: LokiMetrics) => events.push(m));
    const log = pino(transport);
    log.info('hello');
    await waitFor(() => events.some((m) => m.sentLines >= 1), 'a lokiMetrics event', 30_000);
    await receiver.waitForEntries(2, 30_000);
    expect(receiver.query('{logger="pactown.loki"} |= "loki transport counters"').result.length).toBe(1);
    // The pino worker's end() blocks this thread; the receiver here would then stall it, so end in another turn without waiting.
    (transport as unknown as { unref(): void }).unref();
  });
});

describe('CLI', () => {
  it('ships stdin lines, plain text too, and reports counters', async () => {
    const { CLI } = await import('./faces.js');
    const child = spawn(process.execPath, [CLI, '--url', receiver.url, '--label', 'service=cli'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdin.end(
      `${JSON.stringify({ level: 50, time: Date.now(), name: 'pactown.x', msg: 'json line' })}\nplain text line\n`,
    );
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(receiver.entries().map((e) => e.line)).toEqual(
      expect.arrayContaining([
        'level=error logger=pactown.x msg="json line"',
        'level=info logger=root msg="plain text line"',
      ]),
    );
    expect(err).toMatch(/sent 2 lines/);
    const bad = spawn(process.execPath, [CLI, '--url', receiver.url, '--batch-bytes', 'lots'], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    bad.stdin.end();
    expect((await once(bad, 'exit'))[0]).toBe(2);
  });
});
