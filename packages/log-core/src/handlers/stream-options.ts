import { CODES, coreError } from '../codes.js';
import type { OverflowPolicy } from './pending.js';

/** How a stream handler treats a stream that is not read fast enough. */
export interface BackpressureOptions {
  /**
   * Most bytes of lines held while the stream asks to wait (`write()` returned
   * false, until `'drain'`). Beyond it, lines are dropped and counted in
   * `handler.dropped`. The stream's own buffer adds about its `highWaterMark`.
   * @default 4194304 (4 MiB)
   */
  maxPendingBytes?: number;
  /** Which lines to drop when the backlog is full: the new ones, or the oldest held. @default 'drop-newest' */
  overflow?: OverflowPolicy;
  /** Longest `flush()` waits while the stream makes no progress; then it resolves with lines still held. @default 5000 */
  flushTimeoutMs?: number;
  /** Shortest time between two summaries of dropped lines on stderr. @default 30000 */
  reportIntervalMs?: number;
}

/** {@link BackpressureOptions} with defaults applied and validated. */
export interface BackpressureSettings {
  maxPendingBytes: number;
  overflow: OverflowPolicy;
  flushTimeoutMs: number;
  reportIntervalMs: number;
}

export const DEFAULT_MAX_PENDING_BYTES = 4 * 1024 * 1024;

function checkMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option ${name}: ${String(value)}; expected a number of milliseconds >= 0.`,
    );
  }
  return value;
}

/** Applies defaults and validates; invalid values throw a `TypeError` naming the option. */
export function normalizeBackpressure(options: BackpressureOptions): BackpressureSettings {
  const max = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 0) {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option maxPendingBytes: ${String(max)}; expected an integer >= 0.`,
    );
  }
  const overflow = options.overflow ?? 'drop-newest';
  if (overflow !== 'drop-newest' && overflow !== 'drop-oldest') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option overflow: ${String(overflow)}; expected 'drop-newest' or 'drop-oldest'.`,
    );
  }
  return {
    maxPendingBytes: max,
    overflow,
    flushTimeoutMs: checkMs('flushTimeoutMs', options.flushTimeoutMs, 5000),
    reportIntervalMs: checkMs('reportIntervalMs', options.reportIntervalMs, 30_000),
  };
}
