import type { Labels } from './types.js';

/** Result of appending one entry to a stream. */
export type AppendResult = 'stored' | 'duplicate' | 'too-far-behind';

/**
 * One stream's lines, kept sorted by timestamp in parallel arrays (cheaper
 * than an object per line when a benchmark pushes half a million of them).
 */
export class StreamData {
  readonly ts: bigint[] = [];
  readonly lines: string[] = [];
  readonly metadata: Array<Labels | undefined> = [];
  /** Newest timestamp ever accepted (Loki's out-of-order window is measured from it). */
  highest = -1n;

  constructor(
    readonly key: string,
    readonly labels: Readonly<Labels>,
  ) {}

  get size(): number {
    return this.ts.length;
  }

  /** First index whose timestamp is >= ts (or > ts with `after`). */
  bound(ts: bigint, after = false): number {
    let lo = 0;
    let hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.ts[mid]!;
      if (t < ts || (after && t === ts)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Appends like Loki's unordered head block: duplicates (same time and line) are dropped silently. */
  append(ts: bigint, line: string, metadata: Labels | undefined, windowNs: bigint): AppendResult {
    const n = this.ts.length;
    if (n === 0 || ts > this.ts[n - 1]!) {
      this.#insert(n, ts, line, metadata);
      return 'stored';
    }
    if (ts < this.highest - windowNs) return 'too-far-behind';
    const end = this.bound(ts, true);
    for (let i = end - 1; i >= 0 && this.ts[i] === ts; i--) {
      if (this.lines[i] === line) return 'duplicate';
    }
    this.#insert(end, ts, line, metadata);
    return 'stored';
  }

  #insert(at: number, ts: bigint, line: string, metadata: Labels | undefined): void {
    if (at === this.ts.length) {
      this.ts.push(ts);
      this.lines.push(line);
      this.metadata.push(metadata);
    } else {
      this.ts.splice(at, 0, ts);
      this.lines.splice(at, 0, line);
      this.metadata.splice(at, 0, metadata);
    }
    if (ts > this.highest) this.highest = ts;
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
