/** Why the app left a line out. */
export type DropReason =
  /** A REST answer kept its first and last lines; the middle is in sandbox.log and Loki. */
  | 'answer_bound'
  /** A log stream whose client did not read: its oldest unsent lines went (the client got an `event: gap`). */
  | 'sse_slow_client'
  /** A log stream resumed (`Last-Event-ID`) after lines its service's history no longer held (the client got an `event: gap`). */
  | 'sse_resume_gap'
  /** Failed-auth anomaly lines past the per-minute budget (counted in the summary line). */
  | 'auth_failure_rate'
  /** Console lines a slow stdout reader missed (log-core's stream handler). */
  | 'console_backpressure';

export const DROP_REASONS: readonly DropReason[] = [
  'answer_bound',
  'sse_slow_client',
  'sse_resume_gap',
  'auth_failure_rate',
  'console_backpressure',
];

/**
 * Counts the lines the app leaves out, by reason. The first drop of each
 * reason is reported once on stderr; the counts are on `/metrics`
 * (`pactown_runner_dropped_lines_total`) and `/health` (`dropped`).
 */
export class DropCounter {
  #counts = new Map<DropReason, number>();
  #reported = new Set<DropReason>();
  #write: (text: string) => void;
  #external = new Map<DropReason, () => number>();

  constructor(write: (text: string) => void = (text) => process.stderr.write(text)) {
    this.#write = write;
  }

  /** A count kept by someone else (log-core's console handler), read when shown. */
  track(reason: DropReason, read: () => number): void {
    this.#external.set(reason, read);
  }

  add(reason: DropReason, lines: number, why: string): void {
    if (lines <= 0) return;
    this.#counts.set(reason, (this.#counts.get(reason) ?? 0) + lines);
    this.#reportOnce(reason, why);
  }

  #reportOnce(reason: DropReason, why: string): void {
    if (this.#reported.has(reason)) return;
    this.#reported.add(reason);
    this.#write(
      `[@pactown/example-runner] dropping lines (${reason}): ${why}; further drops are only counted (pactown_runner_dropped_lines_total on /metrics, "dropped" on /health)\n`,
    );
  }

  get(reason: DropReason): number {
    const external = this.#external.get(reason)?.() ?? 0;
    if (external > 0) this.#reportOnce(reason, 'stdout is not read fast enough; files and Loki still get every line');
    return (this.#counts.get(reason) ?? 0) + external;
  }

  snapshot(): Record<DropReason, number> {
    return Object.fromEntries(DROP_REASONS.map((r) => [r, this.get(r)])) as Record<DropReason, number>;
  }
}
