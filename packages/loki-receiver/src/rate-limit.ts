/** A token bucket per tenant, like Loki's ingestion rate limiter (bytes per second, with a burst). */
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly rate: number,
    readonly burst: number,
    readonly now: () => number,
  ) {}

  get enabled(): boolean {
    return Number.isFinite(this.rate);
  }

  /**
   * Takes `bytes` from the tenant's bucket; false (and nothing taken) if there
   * are not enough. `now` lets a caller check several entries against one
   * instant, as Loki's ingester reads the clock once per pushed stream.
   */
  allow(tenant: string, bytes: number, now: number = this.now()): boolean {
    if (!this.enabled) return true;
    let bucket = this.#buckets.get(tenant);
    if (!bucket) this.#buckets.set(tenant, (bucket = { tokens: this.burst, at: now }));
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.rate);
    bucket.at = now;
    if (bytes > bucket.tokens) return false;
    bucket.tokens -= bytes;
    return true;
  }

  reset(): void {
    this.#buckets.clear();
  }
}
