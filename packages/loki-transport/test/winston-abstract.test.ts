// winston's own shared transport suite, abstract-winston-transport, run as it is.
import { createRequire } from 'node:module';
import type { LokiReceiver } from '@pactown/loki-receiver';
import { startLokiReceiver } from './helpers/receiver.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, it } from 'vitest';
import { LokiTransport, type LokiWinstonOptions } from '../src/winston.js';

type DoneFn = (this: unknown, done: (err?: unknown) => void) => unknown;

// The suite is written for mocha: its done-style functions become promises here.
function promised(fn: DoneFn): () => unknown {
  if (fn.length === 0) return () => fn.call({}, () => {});
  return () =>
    new Promise<void>((resolve, reject) => {
      try {
        fn.call({}, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err);
      }
    });
}

let receiver: LokiReceiver;
const made: LokiTransport[] = [];

class RecordedTransport extends LokiTransport {
  constructor(options: LokiWinstonOptions) {
    super(options);
    made.push(this);
  }
}

beforeAll(async () => {
  receiver = await startLokiReceiver();
});
afterAll(async () => {
  await Promise.all(made.map((t) => t.close()));
  await receiver.close();
});

const mocha = {
  describe,
  it: (name: string, fn: DoneFn) => it(name, promised(fn)),
  beforeEach: (fn: DoneFn) => beforeEach(promised(fn)),
  afterEach: (fn: DoneFn) => afterEach(promised(fn)),
  after: (fn: DoneFn) => afterAll(promised(fn)),
};
Object.assign(globalThis, mocha);

createRequire(import.meta.url)('abstract-winston-transport')({
  name: 'LokiTransport',
  Transport: RecordedTransport,
  construct: () => ({ url: receiver.url, labels: { service: 'abstract' }, metricsInterval: 0 }),
});
