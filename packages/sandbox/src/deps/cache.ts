import { CODES, sandboxError } from '../errors.js';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cacheKey, normalizeDeps, pyList } from './cache-key.js';
import { acquireDirLock } from './lock.js';
import { redactText } from './redact.js';
import type { MessageSink } from './types.js';
import { checkManifest, writeManifest } from '../process/isolation/manifest.js';

/** The content manifest of a cache entry: `{cacheDir}/.manifests/<kind>/<entry>.json`, outside every entry (a service never gets it mounted). */
function manifestPath(dir: string): string {
  return join(dirname(dirname(dir)), '.manifests', basename(dirname(dir)), `${basename(dir)}.json`);
}

/** The logger name of every cache message. */
export const FAST_START_LOGGER = 'pactown.fast_start';
const MARKER = '.pactown-cache.json';

/** Bounds of the environment cache. */
export interface EnvCacheOptions {
  /** The cache folder (`{sandboxesDir}/.cache`). */
  dir: string;
  /** At most this many environments per kind; the least recently used go first. @default 20 */
  maxEntries?: number;
  /** Environments unused for this long are removed. @default 86400000 (24 h) */
  maxAgeMs?: number;
  /** A build lock older than this is taken over. @default 900000 (15 min) */
  staleLockMs?: number;
}

/** One kind of environment: how to build it in a folder and how to check it before reuse. */
export interface EnvKind {
  /** Entry prefix and folder: `venv` -> `{dir}/venvs/venv_{key}`. */
  prefix: string;
  /** Word for messages: `venv`, `node_modules`. */
  label: string;
  build(dir: string): Promise<void>;
  verify(dir: string): Promise<boolean>;
}

/** A cache entry in use; `release()` lets pruning remove it again. */
export interface CacheLease {
  dir: string;
  key: string;
  hit: boolean;
  release(): void;
}

/**
 * Prepared dependency environments, shared by every sandbox with the same
 * dependency list. Single-flight: concurrent requests for one key build once.
 */
export class EnvCache {
  readonly dir: string;
  #maxEntries: number;
  #maxAgeMs: number;
  #staleLockMs: number;
  #inflight = new Map<string, Promise<boolean>>();
  #inUse = new Map<string, number>();

  constructor(options: EnvCacheOptions) {
    this.dir = options.dir;
    this.#maxEntries = options.maxEntries ?? 20;
    this.#maxAgeMs = options.maxAgeMs ?? 86_400_000;
    this.#staleLockMs = options.staleLockMs ?? 900_000;
  }

  /** Finds or builds the environment for `deps`; `keyExtra` adds local package content to the key. */
  async acquire(kind: EnvKind, deps: readonly string[], sink: MessageSink, keyExtra = ''): Promise<CacheLease> {
    const started = performance.now();
    const log: MessageSink = (level, message) => sink(level, message, { logger: FAST_START_LOGGER });
    log('debug', redactText(`Checking cache for deps: ${pyList(normalizeDeps(deps))}`));
    const key = cacheKey(deps, keyExtra);
    const name = `${kind.prefix}_${key}`;
    const dir = join(this.dir, `${kind.prefix}s`, name);
    this.#inUse.set(dir, (this.#inUse.get(dir) ?? 0) + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (this.#inUse.get(dir) ?? 1) - 1;
      if (n <= 0) this.#inUse.delete(dir);
      else this.#inUse.set(dir, n);
    };
    try {
      let flight = this.#inflight.get(dir);
      const joined = flight !== undefined;
      if (flight === undefined) {
        flight = this.#findOrBuild(kind, dir, name, log);
        this.#inflight.set(dir, flight);
        flight.finally(() => this.#inflight.delete(dir)).catch(() => undefined);
      } else log('debug', `Waiting for ${name}, already being built`);
      const hit = (await flight) || joined;
      const ms = Math.round(performance.now() - started);
      if (hit) log('info', `Using cached ${kind.label} (${ms}ms)`);
      else log('info', `Built ${kind.label} ${name} (${ms}ms)`);
      return { dir, key, hit, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Resolves true on a verified hit, false after a fresh build. */
  async #findOrBuild(kind: EnvKind, dir: string, name: string, log: MessageSink): Promise<boolean> {
    await mkdir(join(dir, '..'), { recursive: true });
    const unlock = await acquireDirLock(`${dir}.lock`, this.#staleLockMs);
    try {
      const marked = await stat(join(dir, MARKER)).then(
        () => true,
        () => false,
      );
      // A service (under isolation 'none') or anyone else may have changed the entry since it was built.
      const manifest = marked ? checkManifest(dir, manifestPath(dir)) : null;
      if (manifest !== null && !manifest.ok) {
        log(
          'warn',
          `Cached ${name} failed verification (its files differ from its manifest: ${manifest.problems.slice(0, 3).join(', ')}); discarding and rebuilding`,
        );
      } else if (marked && (await kind.verify(dir))) {
        log('debug', `Cache hit: ${name}`);
        const now = new Date();
        await utimes(join(dir, MARKER), now, now).catch(() => undefined);
        return true;
      }
      if (marked && manifest?.ok) log('warn', `Cached ${name} failed verification; rebuilding`);
      else if (!marked) log('debug', `Cache miss: ${name}`);
      await rm(manifestPath(dir), { force: true });
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      try {
        await kind.build(dir);
        if (!(await kind.verify(dir)))
          throw sandboxError(Error, CODES.CACHE_BROKEN, `${name} failed verification right after it was built`);
      } catch (error) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
      await writeFile(join(dir, MARKER), `${JSON.stringify({ name, createdAt: new Date().toISOString() })}\n`);
      await mkdir(dirname(manifestPath(dir)), { recursive: true });
      writeManifest(dir, manifestPath(dir));
    } finally {
      await unlock();
    }
    await this.prune(log).catch((error: Error) => log('warn', `Cache pruning failed: ${error.message}`));
    return false;
  }

  /** Removes entries past the age limit, then the least recently used beyond the count limit; never one in use. */
  async prune(log?: MessageSink): Promise<string[]> {
    const removed: string[] = [];
    for (const group of await readdir(this.dir).catch(() => [] as string[])) {
      const groupDir = join(this.dir, group);
      const entries: Array<{ dir: string; used: number }> = [];
      for (const entry of await readdir(groupDir).catch(() => [] as string[])) {
        if (entry.endsWith('.lock')) continue;
        const dir = join(groupDir, entry);
        const used = await stat(join(dir, MARKER)).then(
          (s) => s.mtimeMs,
          () => null,
        );
        if (used !== null) entries.push({ dir, used });
      }
      entries.sort((a, b) => b.used - a.used);
      const now = Date.now();
      for (const [i, entry] of entries.entries()) {
        const expired = now - entry.used >= this.#maxAgeMs || i >= this.#maxEntries;
        if (!expired || this.#inUse.has(entry.dir) || this.#inflight.has(entry.dir)) continue;
        await rm(join(entry.dir, MARKER), { force: true });
        await rm(manifestPath(entry.dir), { force: true });
        await rm(entry.dir, { recursive: true, force: true });
        removed.push(entry.dir);
        log?.('debug', `Removed cached environment ${entry.dir.split('/').pop()}`);
      }
    }
    return removed;
  }

  /** The marker's content, for tests and diagnostics. */
  static async readMarker(dir: string): Promise<unknown> {
    return JSON.parse(await readFile(join(dir, MARKER), 'utf8'));
  }
}
