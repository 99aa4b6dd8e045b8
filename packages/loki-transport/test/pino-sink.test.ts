import { describe, expect, it } from 'vitest';
import type { LokiClient } from '../src/client.js';
import { PinoSink } from '../src/pino.js';

/** A client that records pushes; `room` decides what push answers. */
function recordingClient(room: () => boolean) {
  const pushed: Array<Record<string, unknown>> = [];
  let waiters: Array<() => void> = [];
  let closed = false;
  const client: LokiClient = {
    push(record) {
      pushed.push(record as Record<string, unknown>);
      return room();
    },
    // As the real client reads a line: a JSON object is a record, anything else text.
    pushLine(line) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {}
      const isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
      return this.push(isObject ? (value as Record<string, unknown>) : { level: 30, msg: line });
    },
    hold() {},
    flushSync() {},
    flush: async () => {},
    close: async () => {
      closed = true;
    },
    metrics: () => ({}) as ReturnType<LokiClient['metrics']>,
    ready: async () => true,
    waitForRoom: () => new Promise<void>((resolve) => waiters.push(resolve)),
    get closed() {
      return closed;
    },
  };
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  return { client, pushed, wake, isClosed: () => closed };
}

const write = (sink: PinoSink, chunk: string | Buffer) =>
  new Promise<void>((resolve, reject) => sink.write(chunk, (err) => (err ? reject(err) : resolve())));

describe('PinoSink (what pino’s worker writes to)', () => {
  it('joins lines split across chunks and parses each once', async () => {
    const { client, pushed } = recordingClient(() => true);
    const sink = new PinoSink(client);
    await write(sink, '{"level":30,"msg":"one"}\n{"level":40,');
    await write(sink, '"msg":"two"}\n{"level":50,"msg":"thr');
    expect(pushed.map((r) => r.msg)).toEqual(['one', 'two']);
    sink.end('ee"}');
    await new Promise((resolve) => sink.once('close', resolve));
    expect(pushed.map((r) => r.msg)).toEqual(['one', 'two', 'three']);
  });

  it('ships a line that is not JSON as its text, skips empty lines', async () => {
    const { client, pushed } = recordingClient(() => true);
    const sink = new PinoSink(client);
    await write(sink, 'plain text line\n\n\r\n42\n');
    expect(pushed.map((r) => r.msg)).toEqual(['plain text line', '42']);
    expect(pushed[0]!.level).toBe(30);
  });

  it('decodes Buffers with a character split between writes', async () => {
    const { client, pushed } = recordingClient(() => true);
    const sink = new PinoSink(client);
    const bytes = Buffer.from('{"msg":"✓ ok"}\n');
    await write(sink, bytes.subarray(0, 9));
    await write(sink, bytes.subarray(9));
    expect(pushed.map((r) => r.msg)).toEqual(['✓ ok']);
  });

  it('stops pushing when the client has no room and goes on once it has', async () => {
    let room = true;
    const { client, pushed, wake } = recordingClient(() => room);
    const sink = new PinoSink(client);
    room = false;
    let done = false;
    const written = write(sink, '{"msg":"a"}\n{"msg":"b"}\n{"msg":"c"}\n').then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pushed.map((r) => r.msg)).toEqual(['a']);
    expect(done).toBe(false);
    room = true;
    wake();
    await written;
    expect(pushed.map((r) => r.msg)).toEqual(['a', 'b', 'c']);
  });

  it('closes the client on end, and when destroyed', async () => {
    const a = recordingClient(() => true);
    const ended = new PinoSink(a.client);
    ended.end();
    await new Promise((resolve) => ended.once('close', resolve));
    expect(a.isClosed()).toBe(true);
    const b = recordingClient(() => true);
    const destroyed = new PinoSink(b.client);
    destroyed.destroy();
    await new Promise((resolve) => destroyed.once('close', resolve));
    expect(b.isClosed()).toBe(true);
  });
});
