import type { Entry, StreamBatch } from './entry.js';
import { encodePayload, type Payload } from './payload.js';
import type { WireFormat } from './types.js';

// Rough per-entry overhead on the wire (timestamp, tags, lengths) for size accounting.
const ENTRY_OVERHEAD = 16;

/** How many earlier milliseconds per stream keep their next nanosecond for late lines. */
const LATE_MS = 64;

interface StreamTime {
  /** The newest millisecond of the stream and the nanosecond its last line got. */
  ms: number;
  sub: number;
  /** Earlier milliseconds and their next nanosecond (at most LATE_MS, the oldest let go first). */
  late: LateTimes | null;
}

/**
 * Earlier milliseconds of a stream and the next nanosecond of each, the
 * oldest overwritten first: a ring of LATE_MS slots. (A Map here, with an
 * entry deleted and one added each time a stream's millisecond moved on,
 * cost more than the rest of the clock: finding its first key walks the
 * holes the deletions leave.)
 */
class LateTimes {
  readonly #ms = new Float64Array(LATE_MS);
  readonly #next = new Float64Array(LATE_MS);
  #size = 0;
  // Slot the next new millisecond goes to once the ring is full (the oldest one).
  #head = 0;

  #find(ms: number): number {
    const all = this.#ms;
    for (let i = 0; i < this.#size; i++) if (all[i] === ms) return i;
    return -1;
  }

  get(ms: number): number | undefined {
    const i = this.#find(ms);
    return i === -1 ? undefined : this.#next[i];
  }

  set(ms: number, next: number): void {
    let i = this.#find(ms);
    if (i === -1) {
      if (this.#size < LATE_MS) i = this.#size++;
      else {
        i = this.#head;
        this.#head = (this.#head + 1) % LATE_MS;
      }
      this.#ms[i] = ms;
    }
    this.#next[i] = next;
  }
}

/**
 * Timestamps per stream that strictly increase within a millisecond: the
 * record's own millisecond plus a nanosecond counter, so Loki keeps the order
 * of lines logged in the same millisecond. Lives across batches, so order
 * holds at batch edges too. A line older than the stream's newest gets the
 * next nanosecond of its own millisecond as well, for the last 64 earlier
 * milliseconds the stream has used.
 */
export class StreamClock {
  #last = new Map<string, StreamTime>();
  // Returned by stamp(); read it before the next call.
  readonly #out = { ms: 0, sub: 0 };

  stamp(selector: string, time: number): { ms: number; sub: number } {
    // Protobuf timestamps here are unsigned; a record without a usable time gets the current one.
    const ms = Number.isFinite(time) && time >= 0 ? Math.floor(time) : Date.now();
    let sub = 0;
    const last = this.#last.get(selector);
    if (last === undefined) {
      if (this.#last.size >= 10_000) this.#last.clear();
      this.#last.set(selector, { ms, sub, late: null });
    } else if (ms === last.ms) {
      // Same millisecond as the previous line: the next nanosecond.
      sub = last.sub < 999_999 ? last.sub + 1 : last.sub;
      last.sub = sub;
    } else if (ms > last.ms) {
      // Lines of the millisecond left behind may still come: remember where it got to.
      (last.late ??= new LateTimes()).set(last.ms, last.sub < 999_999 ? last.sub + 1 : last.sub);
      last.ms = ms;
      last.sub = 0;
    } else {
      // An older millisecond: its own next nanosecond.
      const late = (last.late ??= new LateTimes());
      sub = late.get(ms) ?? 0;
      late.set(ms, sub < 999_999 ? sub + 1 : sub);
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
  add(
    selector: string,
    labels: Record<string, string>,
    time: number,
    line: string,
    bytes: number,
    meta: Array<[string, string]> | null,
  ): number {
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
