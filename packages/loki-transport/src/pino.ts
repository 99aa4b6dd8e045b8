import { StringDecoder } from 'node:string_decoder';
import { Writable } from 'node:stream';
import { isMainThread, parentPort } from 'node:worker_threads';
import { createLokiClient, type LokiClient } from './client.js';
import { metricsFields } from './metrics-fields.js';
import { withPatternFormatter } from './pattern-formatter.js';
import type { LokiMetrics, LokiOptions } from './types.js';

/** Name of the event the pino transport stream emits in the main thread with each counters report. */
export const METRICS_EVENT = 'lokiMetrics';

/** How long a chunk is worked on before the worker's event loop gets a turn (ms), checked every CHECK_EVERY lines. */
const SLICE_MS = 5;
const CHECK_EVERY = 64;

/** A chunk up to this many characters is read in write() itself, not on the next turn. */
const SYNC_CHARS = 16 * 1024;

/** A line without a newline longer than this is shipped as it is rather than held for its end. */
const MAX_CARRY = 4 * 1024 * 1024;

function reportFrom(getClient: () => LokiClient | undefined): (m: LokiMetrics) => void {
  return (m) => {
    // One record on the `pactown.loki` logger, shipped with the others, and the
    // counters object to the main thread (pino's ThreadStream re-emits 'EVENT' messages).
    getClient()?.push({
      level: 30,
      time: Date.now(),
      name: 'pactown.loki',
      msg: 'loki transport counters',
      ...metricsFields(m),
    });
    if (!isMainThread && parentPort) parentPort.postMessage({ code: 'EVENT', name: METRICS_EVENT, args: [m] });
  };
}

/**
 * The writable pino's worker writes to: NDJSON text in, records pushed to the
 * client. pino's thread stream hands over strings already decoded, so they are
 * split as they are (no Buffer round trip, no per-line stream machinery); a
 * line that is not JSON is shipped as its text, never dropped. Under
 * `queuePolicy: 'backpressure'` the write callback waits for room, which makes
 * the thread stream wait in turn.
 */
export class PinoSink extends Writable {
  readonly #client: LokiClient;
  #carry = '';
  #decoder: StringDecoder | null = null;

  constructor(client: LokiClient) {
    // Above thread-stream's 4 MiB buffer: its write() returns true at once, so the main
    // thread refills the shared buffer while this one works through the previous chunk.
    super({ decodeStrings: false, highWaterMark: 16 * 1024 * 1024 });
    this.#client = client;
  }

  /** Resolves once everything written so far has been accepted by Loki or finally dropped (pino's `logger.flush()`). */
  flush(): Promise<void> {
    return this.#client.flush();
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === 'string' ? chunk : (this.#decoder ??= new StringDecoder('utf8')).write(chunk);
    // A small chunk (a steady logger's few lines per wake-up) is worked on at once: a turn of
    // the event loop per chunk cost more than its lines.
    if (text.length <= SYNC_CHARS) {
      this.#feed(text, 0, callback);
      return;
    }
    // More lines are on their way: the client need not send a small batch the moment its sender is idle.
    this.#client.hold(true);
    // Work on the chunk after write() returns (see the constructor); pending chunks stay bounded by highWaterMark.
    setImmediate(() => this.#feed(text, 0, callback));
  }

  #feed(text: string, from: number, callback: (error?: Error | null) => void): void {
    let start = from;
    // A chunk can hold megabytes: yield every few milliseconds, so sealed batches go out
    // (and requests connect and get answered) while the rest is read, however cold the code.
    const until = performance.now() + SLICE_MS;
    let lines = 0;
    for (;;) {
      if (++lines % CHECK_EVERY === 0 && performance.now() > until) {
        setImmediate(() => this.#feed(text, start, callback));
        return;
      }
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      let line = text.slice(start, nl);
      if (this.#carry !== '') {
        line = this.#carry + line;
        this.#carry = '';
      }
      start = nl + 1;
      if (!this.#pushLine(line)) {
        // Backpressure: carry on with the rest of this chunk once the queue has room.
        void this.#client.waitForRoom().then(() => this.#feed(text, start, callback));
        return;
      }
    }
    if (start < text.length) {
      this.#carry += text.slice(start);
      if (this.#carry.length > MAX_CARRY) {
        const line = this.#carry;
        this.#carry = '';
        this.#pushLine(line);
      }
    }
    callback();
    // Nothing buffered behind this chunk: what is batched may go as soon as the sender is free.
    if (this.writableLength === 0) this.#client.hold(false);
  }

  #pushLine(line: string): boolean {
    if (line.length === 0 || (line.length === 1 && line === '\r')) return true;
    return this.#client.pushLine(line);
  }

  override _final(callback: (error?: Error | null) => void): void {
    const rest = this.#carry + (this.#decoder?.end() ?? '');
    this.#carry = '';
    if (rest !== '') this.#pushLine(rest);
    this.#client.close().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Destroyed without end(): still hand what is queued to Loki within the drain timeout.
    this.#client.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/**
 * The pino transport: `pino.transport({ target: '@pactown/loki-transport', options })`.
 * Runs in pino's worker thread; `options` must be structured-cloneable
 * (no functions: use `format: 'pattern'` rather than `formatter`).
 */
export default async function lokiTransport(options: LokiOptions): Promise<PinoSink> {
  let client: LokiClient | undefined;
  // pino and thread-stream add their own keys (`$context`, `pinoWillSendConfig`) to the options.
  const own = Object.fromEntries(
    Object.entries(options ?? {}).filter(([k]) => !k.startsWith('$') && k !== 'pinoWillSendConfig'),
  ) as unknown as LokiOptions;
  const resolved = await withPatternFormatter(own);
  client = createLokiClient({ ...resolved, onMetrics: resolved.onMetrics ?? reportFrom(() => client) });
  return new PinoSink(client);
}
