export interface TokenBucketOptions {
  /** Tokens added per minute (the sustained rate). */
  perMinute: number;
  /** Bucket capacity (the burst). */
  burst: number;
  /** Clock in milliseconds; replaceable for tests. */
  now?: () => number;
}

export interface TakeResult {
  allowed: boolean;
  /** Requests counted in the last 60 s, this one included when allowed. */
  usedLastMinute: number;
  /** Milliseconds until a token is available again (0 when allowed). */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  recent: number[];
}

const WINDOW_MS = 60_000;

/** Per-key token buckets: `burst` requests at once, refilled at `perMinute`. */
export class TokenBucketLimiter {
  readonly perMinute: number;
  readonly burst: number;
  #now: () => number;
  #buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketOptions) {
    this.perMinute = options.perMinute;
    this.burst = options.burst;
    this.#now = options.now ?? Date.now;
  }

  take(key: string): TakeResult {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.burst, updatedAt: now, recent: [] };
      this.#buckets.set(key, bucket);
    }
    const perMs = this.perMinute / WINDOW_MS;
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    while (bucket.recent.length > 0 && bucket.recent[0]! <= now - WINDOW_MS) bucket.recent.shift();
    if (bucket.tokens < 1) {
      return {
        allowed: false,
        usedLastMinute: bucket.recent.length,
        retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs),
      };
    }
    bucket.tokens -= 1;
    bucket.recent.push(now);
    return { allowed: true, usedLastMinute: bucket.recent.length, retryAfterMs: 0 };
  }

  /** Forgets idle users whose bucket is full again, so the map stays small. */
  prune(): void {
    const now = this.#now();
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.updatedAt > WINDOW_MS && bucket.recent.every((t) => t <= now - WINDOW_MS))
        this.#buckets.delete(key);
    }
  }
}
