/**
 * The restart policy of a supervised service: when to restart it after it
 * ended, how long to wait (exponential backoff, reset once it stayed up), and
 * when to give up (a start limit like systemd's StartLimitBurst within
 * StartLimitIntervalSec). Pure decisions over the times it is given, so the
 * runner owns the timers and the tests own the clock.
 */

export type RestartMode = 'no' | 'on-failure' | 'always';

export interface RestartOptions {
  /** `'on-failure'`: only after an end the runner did not ask for with a non-zero exit or a signal. @default 'no' */
  restart?: RestartMode;
  /** First delay. @default 1000 */
  backoffInitialMs?: number;
  /** Longest delay (the delay doubles up to it). @default 60000 */
  backoffMaxMs?: number;
  /** A run that stayed up this long resets the backoff to its first delay. @default 30000 */
  resetAfterMs?: number;
  /** Restarts allowed within `startLimitIntervalMs` before giving up. @default 5 */
  startLimitBurst?: number;
  /** @default 60000 */
  startLimitIntervalMs?: number;
}

export type NormalizedRestart = { readonly [K in keyof RestartOptions]-?: NonNullable<RestartOptions[K]> };

export const DEFAULT_RESTART: NormalizedRestart = Object.freeze({
  restart: 'no',
  backoffInitialMs: 1_000,
  backoffMaxMs: 60_000,
  resetAfterMs: 30_000,
  startLimitBurst: 5,
  startLimitIntervalMs: 60_000,
});

const MODES: readonly RestartMode[] = ['no', 'on-failure', 'always'];

export function normalizeRestart(input: RestartOptions | RestartMode | undefined): NormalizedRestart {
  if (input === undefined) return DEFAULT_RESTART;
  const o = typeof input === 'string' ? { restart: input } : input;
  if (o === null || typeof o !== 'object')
    throw new TypeError(
      `[@pactown/sandbox] restart must be 'no', 'on-failure', 'always' or an object, got ${String(input)}`,
    );
  for (const key of Object.keys(o)) {
    if (!Object.hasOwn(DEFAULT_RESTART, key))
      throw new TypeError(
        `[@pactown/sandbox] unknown option 'restart.${key}' (valid: ${Object.keys(DEFAULT_RESTART).join(', ')})`,
      );
  }
  if (o.restart !== undefined && !MODES.includes(o.restart)) {
    throw new TypeError(
      `[@pactown/sandbox] restart must be 'no', 'on-failure' or 'always', got ${JSON.stringify(o.restart)}`,
    );
  }
  const out = { ...DEFAULT_RESTART, restart: o.restart ?? DEFAULT_RESTART.restart } as Record<string, unknown>;
  for (const key of [
    'backoffInitialMs',
    'backoffMaxMs',
    'resetAfterMs',
    'startLimitBurst',
    'startLimitIntervalMs',
  ] as const) {
    const value = o[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < (key === 'startLimitBurst' ? 1 : 0)) {
      throw new TypeError(
        `[@pactown/sandbox] restart.${key} must be a ${key === 'startLimitBurst' ? 'positive' : 'non-negative'} integer, got ${String(value)}`,
      );
    }
    out[key] = value;
  }
  if ((out.backoffMaxMs as number) < (out.backoffInitialMs as number)) {
    throw new TypeError(
      `[@pactown/sandbox] restart.backoffMaxMs (${out.backoffMaxMs}) must be >= restart.backoffInitialMs (${out.backoffInitialMs})`,
    );
  }
  return Object.freeze(out) as NormalizedRestart;
}

export type RestartDecision =
  | { action: 'none' }
  | { action: 'restart'; delayMs: number; attempt: number; limit: number }
  | { action: 'give-up'; failures: number; windowMs: number };

/** One service's restart history. */
export class RestartTracker {
  readonly policy: NormalizedRestart;
  #restarts: number[] = [];
  #nextDelay: number;
  #count = 0;

  constructor(policy: NormalizedRestart) {
    this.policy = policy;
    this.#nextDelay = policy.backoffInitialMs;
  }

  /** Restarts decided so far (the restart count shown for a service). */
  get restarts(): number {
    return this.#count;
  }

  /**
   * What to do after the service ended at `endedAt`, having started at
   * `startedAt`; `failed` is a non-zero exit or a signal we did not send.
   * A stop the runner asked for never restarts.
   */
  decide({
    startedAt,
    endedAt,
    failed,
    stoppedByUs,
  }: {
    startedAt: number;
    endedAt: number;
    failed: boolean;
    stoppedByUs: boolean;
  }): RestartDecision {
    const p = this.policy;
    if (stoppedByUs || p.restart === 'no' || (p.restart === 'on-failure' && !failed)) return { action: 'none' };
    if (endedAt - startedAt >= p.resetAfterMs) this.#nextDelay = p.backoffInitialMs;
    this.#restarts = this.#restarts.filter((t) => endedAt - t < p.startLimitIntervalMs);
    if (this.#restarts.length >= p.startLimitBurst) {
      return { action: 'give-up', failures: this.#restarts.length, windowMs: p.startLimitIntervalMs };
    }
    this.#restarts.push(endedAt);
    const delayMs = this.#nextDelay;
    this.#nextDelay = Math.min(this.#nextDelay * 2, p.backoffMaxMs);
    this.#count++;
    return { action: 'restart', delayMs, attempt: this.#restarts.length, limit: p.startLimitBurst };
  }
}

function seconds(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

/** `Restarting service_api in 2s (attempt 2/5)` */
export function restartingMessage(
  sandbox: string,
  decision: { delayMs: number; attempt: number; limit: number },
): string {
  return `Restarting ${sandbox} in ${seconds(decision.delayMs)} (attempt ${decision.attempt}/${decision.limit})`;
}

/** `Service service_api failed 5 times in 60s: giving up` */
export function gaveUpMessage(sandbox: string, decision: { failures: number; windowMs: number }): string {
  return `Service ${sandbox} failed ${decision.failures} times in ${seconds(decision.windowMs)}: giving up`;
}
