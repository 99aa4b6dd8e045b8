import { createHash } from 'node:crypto';

/** Dependencies as the cache sees them: trimmed, lower-cased, without duplicates, sorted. */
export function normalizeDeps(deps: readonly string[]): string[] {
  return [...new Set(deps.map((d) => d.trim().toLowerCase()).filter(Boolean))].sort();
}

/**
 * The cache key: the first 16 hex digits of the sha256 of the normalized
 * list, one per line. `extra` (the content hash of local package folders)
 * keeps a changed local package from reusing a stale environment.
 */
export function cacheKey(deps: readonly string[], extra = ''): string {
  const text = normalizeDeps(deps).join('\n') + (extra === '' ? '' : `\n#${extra}`);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A Python-style list, as the original's log lines print it: `['fastapi', 'uvicorn']`. */
export function pyList(items: readonly string[]): string {
  return `[${items.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;
}

/** True for requirements that name a folder or file rather than a registry package. */
export function isLocalRequirement(dep: string): boolean {
  return /^(\.{1,2}\/|\/|file:)/.test(dep.trim());
}
