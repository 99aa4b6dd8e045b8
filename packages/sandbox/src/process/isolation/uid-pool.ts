/**
 * One host uid per live service, from a configured range, so that two
 * services never share the uid the kernel checks for signals, ptrace and
 * `/proc` access, and a per-uid limit (`RLIMIT_NPROC`) is per service.
 */
import { statSync } from 'node:fs';
import { readProcText } from '../proc-file.js';
import { procPidEntries } from './tree.js';
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
  for (const entry of procPidEntries()) {
    try {
      const status = readProcText(`/proc/${entry}/status`);
      const match = /\nUid:\s+(\d+)/.exec(status);
      if (match) uids.add(Number(match[1]));
    } catch {
      // exited while we looked
    }
  }
  return uids;
}

/**
 * `true` when a live host process runs as `uid`: the owner of each `/proc/<pid>` is its process's
 * effective uid, so a `stat` per process answers without reading (and the kernel without
 * formatting) every status file. A process that made itself non-dumpable shows as root here;
 * {@link liveUids} reads the real uids.
 */
export function uidInUse(uid: number): boolean {
  for (const entry of procPidEntries()) {
    if (statSync(`/proc/${entry}`, { throwIfNoEntry: false })?.uid === uid) return true;
  }
  return false;
}

/**
 * Hands out uids round-robin (a uid just released is the last to come back,
 * so files a dead service left behind are not handed to the next one at once).
 * A uid is never given out while a lease holds it, nor while a host process
 * still runs under it (another runner on the same host, or a leftover).
 *
 * The host's processes are read in full once, at the first `acquire`: the
 * uids of the range found in use then are passed over (until a round finds
 * no other uid, which reads them again). After that the pool's own leases
 * say which uids are taken (a service's uid is only ever used inside its PID
 * namespace, and every process in it is gone once bwrap has exited, before
 * the lease is released); only the uid about to be handed out is checked
 * against the host's processes, for another runner's service started since.
 */
export class UidPool {
  readonly range: Readonly<UidRange>;
  readonly #held = new Map<number, string>();
  /** Uids of the range a host process outside this pool ran under, from the last full look (`null`: not looked yet). */
  #foreign: Set<number> | null = null;
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
    const fresh = this.#foreign === null;
    this.#foreign ??= this.#lookAll();
    const uid = this.#pick(size) ?? (fresh ? null : this.#pick(size, (this.#foreign = this.#lookAll())));
    if (uid === null) return this.#exhausted();
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

  /** The next uid neither held nor known to be in use, checked against the host's processes; `null` when none is left. */
  #pick(size: number, foreign = this.#foreign!): number | null {
    const { first } = this.range;
    for (let i = 0; i < size; i++) {
      const uid = first + ((this.#next - first + i) % size);
      if (this.#held.has(uid) || foreign.has(uid)) continue;
      if (uidInUse(uid)) {
        foreign.add(uid);
        continue;
      }
      return uid;
    }
    return null;
  }

  /** The range's uids host processes run under now (real uids, from every status file). */
  #lookAll(): Set<number> {
    const { first, last } = this.range;
    const out = new Set<number>();
    for (const uid of liveUids()) if (uid >= first && uid <= last && !this.#held.has(uid)) out.add(uid);
    return out;
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
