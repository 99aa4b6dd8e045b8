import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { receiverFixture } from './helpers/fixture.js';
import { tick } from './helpers/wait.js';

const fx = receiverFixture({ minBackoff: 50, maxBackoff: 200, maxRetries: 1000, drainTimeout: 60_000 });
const { client } = fx;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const hex = Array.from({ length: 4096 }, () => randomBytes(100).toString('hex'));

// Random hex does not compress: queued bytes are about the logged bytes.
function line(i: number): Record<string, unknown> {
  return { level: 30, time: Date.now(), name: 'pactown.load', msg: `line ${i} ${hex[i % hex.length]}` };
}

describe('bounded queue', () => {
  it('drop-oldest: memory stays within the bound while Loki is down, drops are counted', async () => {
    const bound = 2 * 1024 * 1024;
    const c = client({ queueBytes: bound, batchBytes: 128 * 1024 });
    await fx.receiver.down({ mode: 'reset' });
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peakQueue = 0;
    let peakBuffers = 0;
    const total = 100_000; // about 22 MiB of lines
    for (let i = 0; i < total; i++) {
      c.push(line(i));
      if (i % 2000 === 1999) {
        await tick();
        peakQueue = Math.max(peakQueue, c.metrics().queueBytes);
        if (i % 10_000 === 9999) {
          // What stays alive (garbage collected first): the queued bodies.
          gc();
          peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - base);
        }
      }
    }
    const during = c.metrics();
    expect(peakQueue).toBeLessThanOrEqual(bound);
    // Queue bound + batches in flight + socket and receiver buffers (the receiver shares this process,
    // and on a loaded machine more of its reads are pending at a sample); about 22 MiB without a bound.
    expect(peakBuffers).toBeLessThan(bound + 6 * 1024 * 1024);
    expect(during.droppedLines.queue_full).toBeGreaterThan(total / 2);
    await fx.receiver.up();
    await c.flush();
    const m = c.metrics();
    expect(m.sentLines + m.droppedLines.queue_full).toBe(total);
    expect(fx.receiver.entryCount).toBe(m.sentLines);
    // The newest lines survive: the last one logged arrived.
    expect(fx.receiver.query(`{logger="pactown.load"} |= "line ${total - 1} "`).result).toHaveLength(1);
  }, 120_000);

  it('drop-oldest: compressed batches hold their own bytes only, within the bound', async () => {
    // Lines that compress well: snappy's output is a view of a buffer of the input's size, which
    // each queued batch would keep (about 22 MiB in all here) were the body not copied out.
    const bound = 1024 * 1024;
    const c = client({ queueBytes: bound, batchBytes: 512 * 1024 });
    await fx.receiver.down({ mode: 'reset' });
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peakBuffers = 0;
    const total = 150_000;
    for (let i = 0; i < total; i++) {
      c.push({ level: 30, time: Date.now(), name: 'pactown.load', msg: `line ${i} ${hex[i % 2]}` });
      if (i % 10_000 === 9999) {
        await tick();
        gc();
        peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers - base);
      }
    }
    const during = c.metrics();
    expect(during.queueBytes).toBeLessThanOrEqual(bound);
    expect(during.droppedLines.queue_full).toBeGreaterThan(0);
    expect(peakBuffers).toBeLessThan(bound + 6 * 1024 * 1024);
    await fx.receiver.up();
    await c.flush();
    const m = c.metrics();
    expect(m.sentLines + m.droppedLines.queue_full).toBe(total);
  }, 120_000);

  it('backpressure: push() says when to wait, nothing is dropped', async () => {
    const bound = 256 * 1024;
    const c = client({ queueBytes: bound, batchBytes: 32 * 1024, queuePolicy: 'backpressure' });
    await fx.receiver.down({ mode: 'reset' });
    let waited = 0;
    let i = 0;
    for (; i < 3000; i++) {
      if (!c.push(line(i))) {
        waited++;
        break;
      }
    }
    expect(waited).toBe(1);
    expect(c.metrics().queueBytes).toBeGreaterThanOrEqual(bound);
    const room = c.waitForRoom();
    await fx.receiver.up();
    await room;
    for (i++; i < 3000; i++) if (!c.push(line(i))) await c.waitForRoom();
    await c.flush();
    const m = c.metrics();
    expect(m.sentLines).toBe(3000);
    expect(Object.values(m.droppedLines).reduce((a, b) => a + b, 0)).toBe(0);
  }, 60_000);
});
