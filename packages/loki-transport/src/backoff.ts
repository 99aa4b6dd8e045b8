/**
 * Full-jitter exponential backoff: a random wait in [0, min(max, min * 2^attempt)).
 * `attempt` counts from 0 (the wait before the first retry).
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 52));
  return Math.floor(random() * ceiling);
}

/**
 * A `Retry-After` header value (delta seconds or an HTTP date) in ms, or null
 * when absent or unreadable. Dates in the past give 0.
 */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return null;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** Whether an HTTP status is worth retrying (Loki: 429 and 5xx). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
