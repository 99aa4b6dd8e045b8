import { compareTs } from './timestamp.js';
import type { Labels } from './types.js';

/** Result of appending one entry to a stream. */
export type AppendResult = 'stored' | 'duplicate' | 'too-far-behind';

/** A line held back while its push is stored (see `StreamData.deferLate`). */
interface LateLine {
  ms: number;
  sub: number;
  part: number;
  offset: number;
  length: number;
  metadata: Labels | undefined;
}

/**
 * One stream's lines, kept sorted by time in parallel arrays (cheaper than an
 * object per line when a benchmark pushes half a million of them). Times are
 * [epoch ms, ns within the ms] pairs, see timestamp.ts. Lines stay UTF-8
 * bytes inside the buffers their pushes arrived in, and become strings only
 * when a query reads them: no string per line to allocate, copy or collect.
 */
export class StreamData {
  readonly ms: number[] = [];
  readonly sub: number[] = [];
  // The buffers lines live in, and per line: which one, where, and how many bytes.
  readonly #parts: Buffer[] = [];
  readonly #part: number[] = [];
  readonly #offset: number[] = [];
  readonly #length: number[] = [];
  readonly metadata: Array<Labels | undefined> = [];
  /**
   * While a push is stored (between `deferLate()` and `settle()`): its lines older than the
   * stream's newest, merged in once at `settle()`. One array insert per such line cost a move
   * of every newer line each time, minutes for a late batch of a stream with millions of lines.
   */
  #late: LateLine[] | null = null;
  /** Of those, the indexes per time (`ms:sub`), to find their duplicates. */
  #lateAt = new Map<string, number[]>();
  /** Newest time ever accepted (Loki's out-of-order window is measured from it). */
  highestMs = Number.NEGATIVE_INFINITY;
  highestSub = 0;

  constructor(
    readonly key: string,
    readonly labels: Readonly<Labels>,
  ) {}

  get size(): number {
    return this.ms.length;
  }

  /** The line at index `i`. */
  line(i: number): string {
    const length = this.#length[i]!;
    if (length === 0) return '';
    const offset = this.#offset[i]!;
    return this.#parts[this.#part[i]!]!.toString('utf8', offset, offset + length);
  }

  /** Length in UTF-8 bytes of the line at index `i`. */
  lineLength(i: number): number {
    return this.#length[i]!;
  }

  #sameLine(i: number, data: Buffer, start: number, end: number): boolean {
    const offset = this.#offset[i]!;
    return (
      this.#length[i] === end - start &&
      this.#parts[this.#part[i]!]!.compare(data, start, end, offset, offset + (end - start)) === 0
    );
  }

  /** First index whose time is >= (ms, sub), or > it with `after`. */
  bound(ms: number, sub: number, after = false): number {
    let lo = 0;
    let hi = this.ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareTs(this.ms[mid]!, this.sub[mid]!, ms, sub);
      if (c < 0 || (after && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Appends the line `data[start, end)` like Loki's unordered head block:
   * duplicates (same time and line) are dropped silently. `data` is kept.
   */
  append(
    ms: number,
    sub: number,
    data: Buffer,
    start: number,
    end: number,
    metadata: Labels | undefined,
    windowMs: number,
  ): AppendResult {
    const n = this.ms.length;
    if (n === 0 || compareTs(ms, sub, this.ms[n - 1]!, this.sub[n - 1]!) > 0) {
      this.#insert(n, ms, sub, data, start, end, metadata);
      return 'stored';
    }
    if (compareTs(ms, sub, this.highestMs - windowMs, this.highestSub) < 0) return 'too-far-behind';
    const at = this.bound(ms, sub, true);
    for (let i = at - 1; i >= 0 && this.ms[i] === ms && this.sub[i] === sub; i--) {
      if (this.#sameLine(i, data, start, end)) return 'duplicate';
    }
    const late = this.#late;
    if (late === null) {
      this.#insert(at, ms, sub, data, start, end, metadata);
      return 'stored';
    }
    const key = `${ms}:${sub}`;
    const same = this.#lateAt.get(key);
    if (same !== undefined) {
      for (const k of same) {
        const l = late[k]!;
        if (
          l.length === end - start &&
          this.#parts[l.part]!.compare(data, start, end, l.offset, l.offset + l.length) === 0
        )
          return 'duplicate';
      }
      same.push(late.length);
    } else this.#lateAt.set(key, [late.length]);
    late.push({ ms, sub, part: this.#partOf(data), offset: start, length: end - start, metadata });
    return 'stored';
  }

  /** From now until `settle()`, lines older than the newest are held and merged in at once. */
  deferLate(): void {
    this.#late ??= [];
  }

  /** Merges the held lines in (from the back: only lines newer than the oldest held one move). */
  settle(): void {
    const late = this.#late;
    this.#late = null;
    this.#lateAt.clear();
    if (late === null || late.length === 0) return;
    // Stable: lines of one time stay in arrival order, after those already stored.
    late.sort((a, b) => compareTs(a.ms, a.sub, b.ms, b.sub));
    const n = this.ms.length;
    const k = late.length;
    for (let x = 0; x < k; x++) {
      this.ms.push(0);
      this.sub.push(0);
      this.#part.push(0);
      this.#offset.push(0);
      this.#length.push(0);
      this.metadata.push(undefined);
    }
    let i = n - 1;
    let j = k - 1;
    for (let w = n + k - 1; j >= 0; w--) {
      const l = late[j]!;
      if (i >= 0 && compareTs(this.ms[i]!, this.sub[i]!, l.ms, l.sub) > 0) {
        this.ms[w] = this.ms[i]!;
        this.sub[w] = this.sub[i]!;
        this.#part[w] = this.#part[i]!;
        this.#offset[w] = this.#offset[i]!;
        this.#length[w] = this.#length[i]!;
        this.metadata[w] = this.metadata[i];
        i--;
      } else {
        this.ms[w] = l.ms;
        this.sub[w] = l.sub;
        this.#part[w] = l.part;
        this.#offset[w] = l.offset;
        this.#length[w] = l.length;
        this.metadata[w] = l.metadata;
        j--;
      }
    }
  }

  /** The index of `data` in the buffers lines live in (lines of one push share its buffer: listed once). */
  #partOf(data: Buffer): number {
    if (this.#parts[this.#parts.length - 1] !== data) this.#parts.push(data);
    return this.#parts.length - 1;
  }

  #insert(
    at: number,
    ms: number,
    sub: number,
    data: Buffer,
    start: number,
    end: number,
    metadata: Labels | undefined,
  ): void {
    const part = this.#partOf(data);
    const offset = start;
    const length = end - start;
    if (at === this.ms.length) {
      this.ms.push(ms);
      this.sub.push(sub);
      this.#part.push(part);
      this.#offset.push(offset);
      this.#length.push(length);
      this.metadata.push(metadata);
    } else {
      this.ms.splice(at, 0, ms);
      this.sub.splice(at, 0, sub);
      this.#part.splice(at, 0, part);
      this.#offset.splice(at, 0, offset);
      this.#length.splice(at, 0, length);
      this.metadata.splice(at, 0, metadata);
    }
    if (compareTs(ms, sub, this.highestMs, this.highestSub) > 0) {
      this.highestMs = ms;
      this.highestSub = sub;
    }
  }
}

/** Every tenant's streams, keyed by canonical label text. */
export class Store {
  readonly #tenants = new Map<string, Map<string, StreamData>>();
  #entries = 0;
  #waiters = new Set<() => void>();

  get entryCount(): number {
    return this.#entries;
  }

  get streamCount(): number {
    let n = 0;
    for (const streams of this.#tenants.values()) n += streams.size;
    return n;
  }

  tenants(): string[] {
    return [...this.#tenants.keys()];
  }

  streams(tenant: string): Iterable<StreamData> {
    return this.#tenants.get(tenant)?.values() ?? [];
  }

  get(tenant: string, key: string): StreamData | undefined {
    return this.#tenants.get(tenant)?.get(key);
  }

  countStreams(tenant: string): number {
    return this.#tenants.get(tenant)?.size ?? 0;
  }

  getOrCreate(tenant: string, key: string, labels: Labels): StreamData {
    let streams = this.#tenants.get(tenant);
    if (!streams) this.#tenants.set(tenant, (streams = new Map()));
    let stream = streams.get(key);
    if (!stream) streams.set(key, (stream = new StreamData(key, Object.freeze({ ...labels }))));
    return stream;
  }

  /** Records that `n` lines were stored and wakes whoever waits for a count. */
  added(n: number): void {
    this.#entries += n;
    for (const wake of this.#waiters) wake();
  }

  clear(): void {
    this.#tenants.clear();
    this.#entries = 0;
    for (const wake of this.#waiters) wake();
  }

  /** Calls `wake` after every change until the returned function is called. */
  watch(wake: () => void): () => void {
    this.#waiters.add(wake);
    return () => this.#waiters.delete(wake);
  }
}
