/**
 * The `isolation` option: `'namespaces'` (bwrap) or `'none'` (today's plain
 * process, for trusted code only). Left unset it is `'namespaces'` wherever
 * bwrap works, else `'none'` with one WARNING that says why and how to fix it.
 */
import { ISOLATION_CODES, IsolationError } from './errors.js';
import { type BwrapProbe, probeBwrap } from './probe.js';

export type IsolationMode = 'namespaces' | 'none';

export const ISOLATION_MODES: readonly IsolationMode[] = Object.freeze(['namespaces', 'none']);

export interface ResolvedIsolation {
  mode: IsolationMode;
  /** The probe behind the decision; `null` for an explicit `'none'` (no probe runs). */
  probe: BwrapProbe | null;
  /** The mode came from the fallback, not from the caller. */
  fellBack: boolean;
}

interface WarnLogger {
  warn(obj: object, msg: string): void;
}

const warned = new Set<string>();

/** The fallback warning's text, one line: what happened, why, what to do. */
export function fallbackMessage(probe: BwrapProbe): string {
  return `Service isolation unavailable, running services without a sandbox (isolation 'none'): ${probe.reason}. To fix: ${probe.fix}; or set isolation: 'none' explicitly to run trusted code only and silence this warning.`;
}

/**
 * Resolves the option. An explicit `'namespaces'` that cannot work throws an
 * {@link IsolationError} (`PACTOWN_SANDBOX_ISOLATION_UNAVAILABLE`): a caller who
 * asked for the sandbox never silently runs without it.
 */
export function resolveIsolation(
  requested: IsolationMode | undefined,
  { logger, bwrap = 'bwrap' }: { logger?: WarnLogger; bwrap?: string } = {},
): ResolvedIsolation {
  if (requested !== undefined && !ISOLATION_MODES.includes(requested)) {
    throw new TypeError(
      `[@pactown/sandbox] isolation must be 'namespaces' or 'none', got ${JSON.stringify(requested)}`,
    );
  }
  if (requested === 'none') return { mode: 'none', probe: null, fellBack: false };
  const probe = probeBwrap(bwrap);
  if (probe.ok) return { mode: 'namespaces', probe, fellBack: false };
  if (requested === 'namespaces') {
    throw new IsolationError(
      ISOLATION_CODES.ISOLATION_UNAVAILABLE,
      `isolation 'namespaces' cannot work here: ${probe.reason}. To fix: ${probe.fix}`,
    );
  }
  const message = fallbackMessage(probe);
  if (!warned.has(message)) {
    warned.add(message);
    logger?.warn({ isolation: 'none', reason: probe.reason, fix: probe.fix }, message);
  }
  return { mode: 'none', probe, fellBack: true };
}

/** Forgets which fallbacks were already announced (tests). */
export function resetFallbackWarnings(): void {
  warned.clear();
}
