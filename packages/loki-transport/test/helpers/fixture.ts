import type { LokiReceiver } from '@pactown/loki-receiver';
import { startLokiReceiver } from './receiver.js';

type ReceiverOptions = NonNullable<Parameters<typeof startLokiReceiver>[0]>;
import { afterEach, beforeEach } from 'vitest';
import { createLokiClient, type LokiClient, type LokiOptions } from '../../src/index.js';

export interface ReceiverFixture {
  /** This test's receiver (a fresh one per test). */
  readonly receiver: LokiReceiver;
  /** Warnings the clients of this test reported. */
  readonly warnings: string[];
  /** A client shipping to this test's receiver with the file's defaults; closed after the test. */
  client(options?: Partial<LokiOptions>): LokiClient;
  /** Replaces this test's receiver with one started with `options` (clients made afterwards ship to it). */
  restart(options: ReceiverOptions): Promise<LokiReceiver>;
}

/**
 * A fresh Loki-compatible receiver for every test of the file, clients made
 * with `defaults` that ship to it, and their warnings. After each test the
 * receiver is brought back up if a test left it down (so no client drains
 * into a dead receiver), the clients are closed, then the receiver.
 */
export function receiverFixture(defaults: Partial<LokiOptions>): ReceiverFixture {
  let receiver: LokiReceiver | undefined;
  const clients: LokiClient[] = [];
  const warnings: string[] = [];
  beforeEach(async () => {
    receiver = await startLokiReceiver();
    warnings.length = 0;
  });
  afterEach(async () => {
    if (receiver?.isDown) await receiver.up();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await receiver?.close();
  });
  const current = (): LokiReceiver => {
    if (receiver === undefined) throw new Error('the receiver starts in beforeEach: use it inside a test');
    return receiver;
  };
  return {
    get receiver() {
      return current();
    },
    warnings,
    // Plain functions of the closure, so they can be destructured.
    client(options = {}) {
      const c = createLokiClient({
        url: current().url,
        metricsInterval: 0,
        onWarning: (m) => warnings.push(m),
        ...defaults,
        ...options,
      });
      clients.push(c);
      return c;
    },
    async restart(options) {
      await receiver?.close();
      receiver = await startLokiReceiver(options);
      return receiver;
    },
  };
}
