import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PendingLines } from '../src/handlers/pending.js';
import {
  configure,
  consoleHandler,
  getLogger,
  type Handler,
  type StreamHandler,
  type StreamHandlerOptions,
  streamHandler,
} from '../src/index.js';
import { uniqueName } from './helpers.js';

const fixture = path.join(import.meta.dirname, 'fixtures/slow-stdout.mjs');

interface Report {
  what: string;
  dropped: number;
  errors: number;
  pendingBytes: number;
  held?: number;
  threw?: boolean;
  streamLength?: number;
}

/** Runs the fixture with its stdout unread until it has logged everything, then reads it all. */
async function runSlowReader(count: number, maxPendingBytes: number, overflow: string) {
  const child = spawn(process.execPath, [fixture, String(count), String(maxPendingBytes), overflow], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reports: Report[] = [];
  let stderr = '';
  let out = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) {
      if (!line.startsWith('{')) continue;
      const report = JSON.parse(line) as Report;
      reports.push(report);
      // The reader wakes up only once the burst is over.
      if (report.what === 'logged') child.stdout.on('data', (c) => (out += c));
    }
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const logged = reports.find((r) => r.what === 'logged')!;
  const flushed = reports.find((r) => r.what === 'flushed')!;
  const numbers =
    out === ''
      ? []
      : out
          .trimEnd()
          .split('\n')
          .map((l) => Number(l.split(' ')[0]));
  return { code, logged, flushed, numbers, stderr };
}

describe('stream handler backpressure', () => {
  it('holds at most maxPendingBytes for a stdout pipe nobody reads, drops newer lines, counts and reports them', async () => {
    const count = 50_000;
    const max = 256 * 1024;
    const { code, logged, flushed, numbers, stderr } = await runSlowReader(count, max, 'drop-newest');
    expect(code).toBe(0);
    expect(logged.threw).toBe(false);
    // ~9.3 MB logged; the backlog plus the stream's own buffer stays near the bound.
    expect(logged.held).toBeLessThanOrEqual(max + 128 * 1024);
    expect(logged.dropped).toBeGreaterThan(count / 2);
    expect(logged.pendingBytes).toBeLessThanOrEqual(max);
    // flush() resolved once the reader caught up: nothing held, nothing in the stream.
    expect(flushed.pendingBytes).toBe(0);
    expect(flushed.streamLength).toBe(0);
    expect(flushed.errors).toBe(0);
    // Every line is either delivered, in order and without gaps, or counted.
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i));
    expect(numbers.length + flushed.dropped).toBe(count);
    expect(stderr).toContain('handler console:stdout: its stream is not being read fast enough');
    expect(stderr).toMatch(
      new RegExp(`${flushed.dropped} lines dropped \\(${flushed.dropped} in total\\).*it has caught up`),
    );
  }, 60_000);

  it("with overflow 'drop-oldest' keeps the newest lines", async () => {
    const count = 50_000;
    const { code, flushed, numbers } = await runSlowReader(count, 128 * 1024, 'drop-oldest');
    expect(code).toBe(0);
    expect(flushed.dropped).toBeGreaterThan(0);
    expect(numbers.at(-1)).toBe(count - 1);
    expect(numbers.length + flushed.dropped).toBe(count);
    for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]!);
  }, 60_000);
});

/** A Writable with a tiny highWaterMark whose writes complete only when `release()` lets them. */
function slowWritable() {
  const received: string[] = [];
  const waiting: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 64,
    write(chunk, _encoding, callback) {
      received.push(String(chunk));
      waiting.push(() => callback());
    },
  });
  const releaseAll = () => {
    // Completes writes as they arrive, from now on.
    const pump = () => {
      while (waiting.length > 0) waiting.shift()!();
      if (!stream.destroyed) setImmediate(pump);
    };
    pump();
  };
  return {
    stream,
    received,
    releaseAll,
    lines: () =>
      received
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

describe('stream handler with a slow Writable', () => {
  it('bounds the backlog, never throws, and flush() waits until the stream took everything', async () => {
    const { stream, releaseAll, lines } = slowWritable();
    const handler = streamHandler({ stream, maxPendingBytes: 1000, formatter: (r) => r.message, reportIntervalMs: 0 });
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    for (let i = 0; i < 1000; i++) log.info(`line ${i}`);
    expect(handler.pendingBytes).toBeLessThanOrEqual(1000);
    expect(stream.writableLength).toBeLessThan(100);
    expect(handler.dropped).toBeGreaterThan(800);
    releaseAll();
    await handler.flush();
    expect(handler.pendingBytes).toBe(0);
    expect(stream.writableLength).toBe(0);
    const got = lines();
    expect(got.length + handler.dropped).toBe(1000);
    expect(got[0]).toBe('line 0');
    expect(handler.errors).toBe(0);
    // Recovered: new lines go through again.
    log.info('after');
    await handler.flush();
    expect(lines().at(-1)).toBe('after');
    await handler.close();
    stream.destroy();
  });

  it('flush() gives up after flushTimeoutMs when the stream never drains; close() hands the rest over', async () => {
    const { stream, releaseAll, lines } = slowWritable();
    const handler = streamHandler({
      stream,
      maxPendingBytes: 10_000,
      flushTimeoutMs: 100,
      formatter: (r) => r.message,
    });
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    for (let i = 0; i < 100; i++) log.info(`line ${i}`);
    expect(handler.pendingBytes).toBeGreaterThan(0);
    await handler.flush();
    expect(handler.pendingBytes).toBeGreaterThan(0);
    await handler.close();
    expect(handler.pendingBytes).toBe(0);
    releaseAll();
    await new Promise<void>((resolve) => stream.end(resolve));
    expect(lines()).toHaveLength(100);
    expect(handler.dropped).toBe(0);
  });

  it('counts held lines as errors when the stream is destroyed before it drains', async () => {
    const { stream } = slowWritable();
    stream.on('error', () => undefined);
    const handler = streamHandler({ stream, maxPendingBytes: 10_000, formatter: (r) => r.message });
    const log = getLogger(uniqueName());
    log.setLevel('INFO');
    log.addHandler(handler);
    for (let i = 0; i < 50; i++) log.info(`line ${i}`);
    // Lines the stream took before it asked to wait are its own; the rest are held.
    let accepted = 0;
    for (let bytes = 0; bytes < stream.writableLength; accepted++) bytes += `line ${accepted}\n`.length;
    const held = 50 - accepted;
    expect(held).toBeGreaterThan(0);
    stream.destroy();
    await once(stream, 'close');
    expect(handler.errors).toBe(held);
    expect(handler.pendingBytes).toBe(0);
    log.info('after close');
    expect(handler.errors).toBe(held + 1);
    await handler.flush();
    await handler.close();
  });

  it('reports the first drop at once, a summary on catching up, then at most one per reportIntervalMs, and the rest on close()', async () => {
    const said: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => {
      said.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const { stream, releaseAll } = slowWritable();
      const handler = streamHandler({
        stream,
        name: 'slow',
        maxPendingBytes: 100,
        formatter: (r) => r.message,
        reportIntervalMs: 60_000,
      });
      const log = getLogger(uniqueName());
      log.setLevel('INFO');
      log.addHandler(handler);
      const burst = async () => {
        for (let i = 0; i < 200; i++) log.info(`line ${i}`);
        await handler.flush();
      };
      releaseAll();
      await burst();
      const first = handler.dropped;
      expect(first).toBeGreaterThan(0);
      await burst();
      expect(handler.dropped).toBeGreaterThan(first);
      const mine = () => said.filter((l) => l.includes('handler slow:'));
      // The warning, then one summary when it caught up the first time; the second burst waits for the interval.
      expect(mine()).toHaveLength(2);
      expect(mine()[0]).toContain('not being read fast enough');
      expect(mine()[1]).toContain(`${first} lines dropped (${first} in total)`);
      await handler.close();
      expect(mine()).toHaveLength(3);
      expect(mine()[2]).toContain(`${handler.dropped - first} lines dropped (${handler.dropped} in total)`);
      stream.destroy();
    } finally {
      process.stderr.write = write;
    }
  });

  it('rejects invalid backpressure options with a TypeError naming them, also through configure()', () => {
    const { stream } = slowWritable();
    expect(() => streamHandler({ stream, maxPendingBytes: -1 })).toThrow(/maxPendingBytes: -1/);
    expect(() => streamHandler({ stream, overflow: 'block' as never })).toThrow(/overflow: block/);
    expect(() => streamHandler({ stream, flushTimeoutMs: Number.NaN })).toThrow(/flushTimeoutMs: NaN/);
    expect(() =>
      configure({ handlers: { s: { type: 'stream', stream, maxPendingBytes: 1.5 } }, env: false, incremental: true }),
    ).toThrow(TypeError);
    stream.destroy();
  });
});

describe('the backlog (property)', () => {
  it('never holds more than its bound, keeps order, and every line is kept or counted', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom('drop-newest' as const, 'drop-oldest' as const),
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constant(null)), { maxLength: 200 }),
        (max, policy, ops) => {
          const pending = new PendingLines(max, policy);
          const out: string[] = [];
          let added = 0;
          let dropped = 0;
          for (const [i, op] of ops.entries()) {
            if (op === null) {
              const text = pending.take(64);
              if (text !== '') out.push(...text.split('\n').filter((l) => l !== ''));
            } else {
              added++;
              dropped += pending.add(`${i}:${op.replace(/\n/g, '')}\n`);
            }
            if (pending.bytes > max) return false;
          }
          out.push(
            ...pending
              .take(Number.POSITIVE_INFINITY)
              .split('\n')
              .filter((l) => l !== ''),
          );
          const indexes = out.map((l) => Number(l.split(':')[0]));
          return out.length + dropped === added && indexes.every((n, k) => k === 0 || n > indexes[k - 1]!);
        },
      ),
    );
  });
});

describe('public types of stream handlers', () => {
  it('streamHandler and consoleHandler return a StreamHandler with dropped and pendingBytes', () => {
    expectTypeOf(streamHandler).returns.toEqualTypeOf<StreamHandler>();
    expectTypeOf(consoleHandler).returns.toEqualTypeOf<StreamHandler>();
    expectTypeOf<StreamHandler['dropped']>().toEqualTypeOf<number>();
    expectTypeOf<StreamHandler>().toExtend<Handler>();
    expectTypeOf<StreamHandlerOptions['overflow']>().toEqualTypeOf<'drop-newest' | 'drop-oldest' | undefined>();
  });
});
