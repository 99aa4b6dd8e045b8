import { rejectUnknownKeys } from '@pactown/options';
import { badArgument } from './errors.js';
import type { FailOptions } from './types.js';

interface PendingFailure {
  remaining: number;
  status: number;
  retryAfter: number | undefined;
  body: string;
  scope: 'push' | 'all';
}

/** Test-requested trouble: failures for the next requests and added latency. */
export class Faults {
  #failure: PendingFailure | undefined;
  latencyMs = 0;
  latencyScope: 'push' | 'all' = 'push';

  failNext(count: number, status: number, options: FailOptions = {}): void {
    if (!Number.isInteger(count) || count < 0) {
      throw badArgument(`failNext count must be an integer >= 0, got ${String(count)}`);
    }
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      throw badArgument(`failNext status must be an HTTP status 100-599, got ${String(status)}`);
    }
    rejectUnknownKeys(options, ['retryAfter', 'body', 'scope'], {
      pkg: '@pactown/loki-receiver',
      prefix: 'PACTOWN_RECEIVER',
      where: 'failNext() options',
    });
    const { retryAfter, body, scope = 'push' } = options;
    if (retryAfter !== undefined && !(Number.isFinite(retryAfter) && retryAfter >= 0)) {
      throw badArgument(`failNext retryAfter must be seconds >= 0, got ${String(retryAfter)}`);
    }
    if (scope !== 'push' && scope !== 'all') {
      throw badArgument(`failNext scope must be 'push' or 'all', got ${String(scope)}`);
    }
    this.#failure =
      count === 0
        ? undefined
        : {
            remaining: count,
            status,
            retryAfter,
            body: body ?? `failure requested by the test (status ${status})`,
            scope,
          };
  }

  setLatency(ms: number, scope: 'push' | 'all' = 'push'): void {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw badArgument(`setLatency ms must be a number >= 0, got ${String(ms)}`);
    }
    this.latencyMs = ms;
    this.latencyScope = scope;
  }

  /** Failures still to serve. */
  get pendingFailures(): number {
    return this.#failure?.remaining ?? 0;
  }

  /** Takes one pending failure for this request, if any applies. */
  take(isPush: boolean): Omit<PendingFailure, 'remaining' | 'scope'> | undefined {
    const f = this.#failure;
    if (!f || (f.scope === 'push' && !isPush)) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) this.#failure = undefined;
    return { status: f.status, retryAfter: f.retryAfter, body: f.body };
  }

  delayFor(isPush: boolean): number {
    return this.latencyScope === 'all' || isPush ? this.latencyMs : 0;
  }

  reset(): void {
    this.#failure = undefined;
    this.latencyMs = 0;
    this.latencyScope = 'push';
  }
}
