/**
 * One host uid per live service, from a configured range, so that two
 * services never share the uid the kernel checks for signals, ptrace and
 * `/proc` access, and a per-uid limit (`RLIMIT_NPROC`) is per service.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { ISOLATION_CODES, IsolationError } from './errors.js';

export interface UidRange {
  /** First uid of the range. @default 200000 */
  first: number;
  /** Last uid of the range (inclusive). @default 265535 */
  last: number;
}

export const DEFAULT_UID_RANGE: Readonly<UidRange> = Object.freeze({ first: 200_000, last: 265_535 });

/** A uid (and the gid of the same number) held for one service until `release()`. */
export interface UidLease {
  readonly uid: number;
  readonly gid: number;
  readonly serviceId: string;
  /** Gives the uid back; calling it again does nothing. */
  release(): void;
}

/** Checks a range: integers, 1 <= first <= last <= 2^32 - 2 (uid 0 and the overflow uid are never handed out). */
export function normalizeUidRange(range: Partial<UidRange> | undefined): UidRange {
  const first = range?.first ?? DEFAULT_UID_RANGE.first;
  const last = range?.last ?? DEFAULT_UID_RANGE.last;
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 0xfffffffe;
  if (!ok(first) || !ok(last) || first > last || (first <= 65534 && last >= 65534)) {
    throw new TypeError(
      `[@pactown/sandbox] uidRange must be { first, last } with 1 <= first <= last, not containing 65534 (nobody), got ${JSON.stringify(range)}`,
    );
  }
  return { first, last };
}

/** Real uids of the live processes on this host (a uid with a leftover process is not reused). */
export function liveUids(): Set<number> {
  const uids = new Set<number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return uids;
  }
  for (const entry of entries) {
    const c = entry.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'latin1');
      const match = /\nUid:\s+(\d+)/.exec(status);
      if (match) uids.add(Number(match[1]));
    } catch {
      // exited while we looked
    }
  }
  return uids;
}

/**
 * Hands out uids round-robin (a uid just released is the last to come back,
 * so files a dead service left behind are not handed to the next one at once).
 * A uid is never given out while a lease holds it, nor while a host process
 * still runs under it (another runner on the same host, or a leftover).
 */
export class UidPool {
  readonly range: Readonly<UidRange>;
  readonly #held = new Map<number, string>();
  #next: number;

  constructor(range?: Partial<UidRange>) {
    this.range = Object.freeze(normalizeUidRange(range));
    this.#next = this.range.first;
  }

  /** Uids held right now, with the service holding each. */
  held(): ReadonlyMap<number, string> {
    return new Map(this.#held);
  }

  acquire(serviceId: string): UidLease {
    const { first, last } = this.range;
    const size = last - first + 1;
    if (this.#held.size >= size) this.#exhausted();
    const busy = liveUids();
    for (let i = 0; i < size; i++) {
      const uid = first + ((this.#next - first + i) % size);
      if (this.#held.has(uid) || busy.has(uid)) continue;
      this.#next = uid === last ? first : uid + 1;
      this.#held.set(uid, serviceId);
      let released = false;
      return Object.freeze({
        uid,
        gid: uid,
        serviceId,
        release: () => {
          if (released) return;
          released = true;
          this.#held.delete(uid);
        },
      });
    }
    return this.#exhausted();
  }

  #exhausted(): never {
    const { first, last } = this.range;
    throw new IsolationError(
      ISOLATION_CODES.UID_EXHAUSTED,
      `no free uid in ${first}-${last} (${this.#held.size} held by services of this runner): stop services or widen uidRange`,
    );
  }
}

let shared: UidPool | null = null;

/** The process-wide pool of the default range, made on first use. */
export function sharedUidPool(): UidPool {
  shared ??= new UidPool();
  return shared;
}
