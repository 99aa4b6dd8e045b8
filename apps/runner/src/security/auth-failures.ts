import { getRedactor } from '@pactown/log-core';
import type { DropCounter } from '../app/drops.js';
import type { SecurityPolicy } from './policy.js';

/**
 * User-controlled text (a request path, a header) as it may appear in a log
 * line: JSON-quoted, with `=` written `\u003d`, so that it can never pose as a
 * `user=` or any other `key=value` field a query filters on.
 */
export function quoteUserText(text: string, maxLength = 200): string {
  // Masked first (log-core's engine), decoded so that `%3D` and friends cannot hide a shape from it.
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Not valid percent-encoding: masked as it came.
  }
  const masked = getRedactor().redactText(decoded);
  const cut = masked.length > maxLength ? `${masked.slice(0, maxLength)}…` : masked;
  return JSON.stringify(cut).replaceAll('=', '\\u003d');
}

export interface AuthFailureLogOptions {
  policy: SecurityPolicy;
  drops: DropCounter;
  /** Anomaly lines per window; the rest are counted. */
  perWindow: number;
  /** @default 60000 */
  windowMs?: number;
  now?: () => number;
}

/**
 * Failed-auth anomalies, rate-limited: the first `perWindow` of each window
 * are logged one by one (anomaly log and `pactown.security`), the rest are
 * counted and summarised in one line when the window ends (or at shutdown).
 * An anonymous flood can then neither fill the anomaly history nor
 * `sandbox.log`.
 */
export class AuthFailureLog {
  readonly #o: Required<Omit<AuthFailureLogOptions, 'now'>> & { now: () => number };
  #windowStart = 0;
  #logged = 0;
  #suppressed = 0;
  #byAddress = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;

  constructor(options: AuthFailureLogOptions) {
    this.#o = { windowMs: 60_000, now: Date.now, ...options };
  }

  record(method: string, path: string, reason: string, address: string): void {
    const now = this.#o.now();
    if (now - this.#windowStart >= this.#o.windowMs) {
      this.flush();
      this.#windowStart = now;
      this.#logged = 0;
    }
    if (this.#logged < this.#o.perWindow) {
      this.#logged++;
      this.#o.policy.report(
        'UNAUTHORIZED_ACCESS',
        'WARNING',
        'unknown',
        '-',
        `${method} ${quoteUserText(path)} from ${quoteUserText(address, 64)}: ${reason}`,
      );
      return;
    }
    this.#suppressed++;
    if (this.#byAddress.size < 20 || this.#byAddress.has(address))
      this.#byAddress.set(address, (this.#byAddress.get(address) ?? 0) + 1);
    this.#o.drops.add(
      'auth_failure_rate',
      1,
      `more than ${this.#o.perWindow} failed-auth requests in ${this.#o.windowMs / 1000}s are summarised, not logged one by one (PACTOWN_AUTH_FAILURE_LINES)`,
    );
    if (this.#timer === null) {
      this.#timer = setTimeout(() => this.flush(), Math.max(0, this.#windowStart + this.#o.windowMs - now));
      this.#timer.unref();
    }
  }

  /** Writes the summary of the requests not logged one by one, if any. */
  flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#suppressed === 0) return;
    const top = [...this.#byAddress].sort((a, b) => b[1] - a[1]).slice(0, 5);
    const from = top.map(([a, n]) => `${quoteUserText(a, 64)} ${n}`).join(', ');
    this.#o.policy.report(
      'UNAUTHORIZED_ACCESS',
      'WARNING',
      'unknown',
      '-',
      `${this.#suppressed} more failed-auth requests in ${this.#o.windowMs / 1000}s were not logged one by one (from ${from})`,
      { suppressed: this.#suppressed, window_s: this.#o.windowMs / 1000 },
    );
    this.#suppressed = 0;
    this.#byAddress.clear();
  }
}
