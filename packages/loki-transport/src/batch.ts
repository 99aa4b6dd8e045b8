import type { Entry, StreamBatch } from './entry.js';
import { encodePayload, type Payload } from './payload.js';
import type { WireFormat } from './types.js';

// Rough per-entry overhead on the wire (timestamp, tags, lengths) for size accounting.
const ENTRY_OVERHEAD = 16;

/**
 * Timestamps per stream that strictly increase within a millisecond: the
 * record's own millisecond plus a nanosecond counter, so Loki keeps the order
 * of lines logged in the same millisecond. Lives across batches, so order
 * holds at batch edges too.
 */
export class StreamClock {
  #last = new Map<string, { ms: number; sub: number }>();
  // Returned by stamp(); read it before the next call.
  readonly #out = { ms: 0, sub: 0 };

  stamp(selector: string, time: number): { ms: number; sub: number } {
    // Protobuf timestamps here are unsigned; a record without a usable time gets the current one.
    const ms = Number.isFinite(time) && time >= 0 ? Math.floor(time) : Date.now();
    let sub = 0;
    const last = this.#last.get(selector);
    if (last === undefined) {
      if (this.#last.size >= 10_000) this.#last.clear();
      this.#last.set(selector, { ms, sub });
    } else if (ms === last.ms) {
      // Same millisecond as the previous line: the next nanosecond.
      sub = last.sub < 999_999 ? last.sub + 1 : last.sub;
      last.sub = sub;
    } else if (ms > last.ms) {
      // An older time keeps its own stamp.
      last.ms = ms;
      last.sub = 0;
    }
    this.#out.ms = ms;
    this.#out.sub = sub;
    return this.#out;
  }
}

/**
 * The batch being built: lines grouped by label set (one stream per label
 * set), with per-stream timestamps that strictly increase within a millisecond.
 */
export class BatchBuilder {
  #streams = new Map<string, StreamBatch>();
  #bytes = 0;
  #lines = 0;
  readonly #clock: StreamClock;

  constructor(clock: StreamClock = new StreamClock()) {
    this.#clock = clock;
  }

  get bytes(): number {
    return this.#bytes;
  }
  get lines(): number {
    return this.#lines;
  }

  /** Adds one line to its stream; returns the batch's byte size afterwards. */
  add(selector: string, labels: Record<string, string>, time: number, line: string, bytes: number, meta: Array<[string, string]> | null): number {
    let stream = this.#streams.get(selector);
    if (stream === undefined) {
      stream = { selector, labels, entries: [] };
      this.#streams.set(selector, stream);
      this.#bytes += selector.length + ENTRY_OVERHEAD;
    }
    const { ms, sub } = this.#clock.stamp(selector, time);
    const entry: Entry = { ms, sub, line, bytes, meta };
    stream.entries.push(entry);
    let size = bytes + ENTRY_OVERHEAD;
    if (meta !== null) for (const [k, v] of meta) size += k.length + v.length + 4;
    this.#bytes += size;
    this.#lines++;
    return this.#bytes;
  }

  /** The current batch encoded as `wire` (and starts a new one). */
  takePayload(wire: WireFormat, gzip: boolean): Payload {
    return encodePayload(this.take(), wire, gzip);
  }

  /** Takes the streams out and starts a new batch. */
  take(): StreamBatch[] {
    const streams = [...this.#streams.values()];
    this.#streams = new Map();
    this.#bytes = 0;
    this.#lines = 0;
    return streams;
  }
}
