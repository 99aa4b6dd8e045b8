import type { Entry, StreamBatch } from './entry.js';

// Rough per-entry overhead on the wire (timestamp, tags, lengths) for size accounting.
const ENTRY_OVERHEAD = 16;

/**
 * The batch being built: lines grouped by label set (one stream per label
 * set), with per-stream timestamps that strictly increase within a millisecond.
 */
export class BatchBuilder {
  #streams = new Map<string, StreamBatch>();
  #bytes = 0;
  #lines = 0;
  #startedAt = 0;
  // Last (ms, sub) stamped per stream; lives across batches so order holds at batch edges.
  #clock = new Map<string, { ms: number; sub: number }>();

  get bytes(): number {
    return this.#bytes;
  }
  get lines(): number {
    return this.#lines;
  }
  get startedAt(): number {
    return this.#startedAt;
  }

  /** Adds one line to its stream; returns the batch's byte size afterwards. */
  add(selector: string, labels: Record<string, string>, time: number, line: string, bytes: number, meta: Array<[string, string]> | null): number {
    let stream = this.#streams.get(selector);
    if (stream === undefined) {
      stream = { selector, labels, entries: [] };
      this.#streams.set(selector, stream);
      this.#bytes += selector.length + ENTRY_OVERHEAD;
    }
    if (this.#lines === 0) this.#startedAt = Date.now();
    // Protobuf timestamps here are unsigned; a record without a usable time gets the current one.
    const ms = Number.isFinite(time) && time >= 0 ? Math.floor(time) : Date.now();
    let sub = 0;
    const last = this.#clock.get(selector);
    if (last === undefined) {
      if (this.#clock.size >= 10_000) this.#clock.clear();
      this.#clock.set(selector, { ms, sub });
    } else {
      // Same millisecond as the previous line: the next nanosecond. An older time keeps its own stamp.
      if (ms === last.ms) {
        if (last.sub < 999_999) sub = last.sub + 1;
        else sub = last.sub;
        last.sub = sub;
      } else if (ms > last.ms) {
        last.ms = ms;
        last.sub = 0;
      }
    }
    const entry: Entry = { ms, sub, line, bytes, meta };
    stream.entries.push(entry);
    let size = bytes + ENTRY_OVERHEAD;
    if (meta !== null) for (const [k, v] of meta) size += k.length + v.length + 4;
    this.#bytes += size;
    this.#lines++;
    return this.#bytes;
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
