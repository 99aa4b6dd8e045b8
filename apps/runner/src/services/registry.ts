export type ServiceStatus = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped' | 'failed' | 'exited';

/** The restart policy of a run (`@pactown/sandbox`'s `RestartMode`). */
export type RestartPolicy = 'no' | 'on-failure' | 'always';

export interface SuggestionView {
  action: string;
  description: string;
  command?: string;
  auto_fixable: boolean;
}

/** What the app remembers about a service, running or not. */
export interface ServiceEntry {
  serviceId: string;
  userId: string;
  status: ServiceStatus;
  port: number | null;
  pid: number | null;
  startedAt: string;
  endedAt: string | null;
  message: string | null;
  errorCategory: string | null;
  suggestions: SuggestionView[];
  /** Path of the newest error file, once written. */
  errorLog: string | null;
  /** The run's restart policy. */
  restart: RestartPolicy;
  /** Restarts the runner made since this run began (each after a death). */
  restarts: number;
  /**
   * True once an error file was written for this owner's runs of the id (kept
   * across their later runs): only then is the file on disk theirs to read.
   */
  hasErrorFile: boolean;
}

/** A service waiting out its restart backoff is active: it holds its id, its port and a place in the user's limit. */
const ACTIVE: ReadonlySet<ServiceStatus> = new Set(['starting', 'running', 'restarting', 'stopping']);
/** Ended services remembered (with their owner); past this the oldest are forgotten. */
export const KEEP_ENDED = 200;

export function isActive(entry: ServiceEntry | undefined): boolean {
  return entry !== undefined && ACTIVE.has(entry.status);
}

/**
 * The app's view of services: owner, status and outcome, kept after they end.
 * An id stays its owner's until the owner deletes it or it is forgotten (the
 * oldest ended entries past `keepEnded`).
 */
export class ServiceRegistry {
  readonly keepEnded: number;
  #entries = new Map<string, ServiceEntry>();

  constructor(options: { keepEnded?: number } = {}) {
    this.keepEnded = options.keepEnded ?? KEEP_ENDED;
  }

  get(serviceId: string): ServiceEntry | undefined {
    return this.#entries.get(serviceId);
  }

  ownerOf(serviceId: string): string | undefined {
    return this.#entries.get(serviceId)?.userId;
  }

  list(userId?: string): ServiceEntry[] {
    const all = [...this.#entries.values()];
    return userId === undefined ? all : all.filter((e) => e.userId === userId);
  }

  /** Services of `userId` that are starting or running, `except` one id (a restart). */
  activeCount(userId: string, except?: string): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.userId === userId && e.serviceId !== except && isActive(e)) n++;
    return n;
  }

  /** Ports handed to services that are starting or running. */
  reservedPorts(): Set<number> {
    const ports = new Set<number>();
    for (const e of this.#entries.values()) if (isActive(e) && e.port !== null) ports.add(e.port);
    return ports;
  }

  /**
   * Starts a run of `serviceId` for `userId`. Throws when the id belongs to
   * another user: callers check first, this keeps a slip from handing it over.
   */
  begin(serviceId: string, userId: string, port: number | null, restart: RestartPolicy = 'no'): ServiceEntry {
    const previous = this.#entries.get(serviceId);
    if (previous && previous.userId !== userId) throw new Error(`service_id ${serviceId} belongs to another user`);
    this.#entries.delete(serviceId);
    const entry: ServiceEntry = {
      serviceId,
      userId,
      status: 'starting',
      port,
      pid: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
      message: null,
      errorCategory: null,
      suggestions: [],
      errorLog: null,
      restart,
      restarts: 0,
      hasErrorFile: previous?.hasErrorFile ?? false,
    };
    this.#entries.set(serviceId, entry);
    this.#trim();
    return entry;
  }

  /** Forgets an ended service, freeing its id; `undefined` when unknown or still active. */
  remove(serviceId: string): ServiceEntry | undefined {
    const entry = this.#entries.get(serviceId);
    if (!entry || isActive(entry)) return undefined;
    this.#entries.delete(serviceId);
    return entry;
  }

  update(
    serviceId: string,
    patch: Partial<Omit<ServiceEntry, 'serviceId' | 'userId' | 'hasErrorFile'>>,
  ): ServiceEntry | undefined {
    const entry = this.#entries.get(serviceId);
    if (!entry) return undefined;
    Object.assign(entry, patch);
    if (patch.errorLog) entry.hasErrorFile = true;
    if (patch.status !== undefined && !ACTIVE.has(patch.status) && entry.endedAt === null)
      entry.endedAt = new Date().toISOString();
    return entry;
  }

  counts(): Record<ServiceStatus, number> {
    const counts: Record<ServiceStatus, number> = {
      starting: 0,
      running: 0,
      restarting: 0,
      stopping: 0,
      stopped: 0,
      failed: 0,
      exited: 0,
    };
    for (const e of this.#entries.values()) counts[e.status]++;
    return counts;
  }

  #trim(): void {
    const ended = [...this.#entries.values()].filter((e) => !isActive(e));
    for (const e of ended.slice(0, Math.max(0, ended.length - this.keepEnded))) this.#entries.delete(e.serviceId);
  }
}

/** The REST view of an entry. */
export function serviceView(entry: ServiceEntry): Record<string, unknown> {
  return {
    service_id: entry.serviceId,
    user_id: entry.userId,
    status: entry.status,
    port: entry.port,
    pid: entry.pid,
    started_at: entry.startedAt,
    ended_at: entry.endedAt,
    message: entry.message,
    error_category: entry.errorCategory,
    suggestions: entry.suggestions,
    error_log: entry.errorLog,
    restart: entry.restart,
    restarts: entry.restarts,
  };
}
