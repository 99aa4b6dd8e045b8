/** A live line as the page and the NDJSON/SSE streams carry it. */
export interface LiveLine {
  seq: number;
  serviceId: string;
  message: string;
  level: number;
  levelName: string;
  stream: 'stdout' | 'stderr' | 'system';
  time: number;
}

export type HubEvent =
  | { type: 'log'; line: LiveLine }
  | { type: 'status'; serviceId: string; status: string; message?: string };

type Listener = (event: HubEvent) => void;

interface Channel {
  seq: number;
  history: LiveLine[];
  listeners: Set<Listener>;
}

/**
 * Fans live lines out to subscribers (SSE clients) and keeps a bounded tail per
 * service, numbered, so a client can replay history and resume after a drop
 * (`Last-Event-ID`).
 */
export class LiveHub {
  readonly historySize: number;
  readonly maxChannels: number;
  #channels = new Map<string, Channel>();
  #published = 0;

  /** Keeps `historySize` lines per service, for at most `maxChannels` services (idle ones go first). */
  constructor(historySize = 1000, maxChannels = 500) {
    this.historySize = historySize;
    this.maxChannels = maxChannels;
  }

  get publishedLines(): number {
    return this.#published;
  }

  get subscribers(): number {
    let n = 0;
    for (const c of this.#channels.values()) n += c.listeners.size;
    return n;
  }

  #channel(serviceId: string): Channel {
    let channel = this.#channels.get(serviceId);
    if (!channel) {
      channel = { seq: 0, history: [], listeners: new Set() };
      this.#channels.set(serviceId, channel);
      if (this.#channels.size > this.maxChannels) {
        // Map order is creation order: drop the oldest services nobody is watching.
        for (const [id, old] of this.#channels) {
          if (this.#channels.size <= this.maxChannels) break;
          if (old.listeners.size === 0 && id !== serviceId) this.#channels.delete(id);
        }
      }
    }
    return channel;
  }

  /** Starts a fresh history for a new run of the service (subscribers stay). */
  reset(serviceId: string): void {
    const channel = this.#channel(serviceId);
    channel.history = [];
  }

  /**
   * Forgets a service's tail and ends its subscriptions with a `forgotten`
   * status: the id may next be run by another user, who must not reach them.
   */
  drop(serviceId: string): void {
    const channel = this.#channels.get(serviceId);
    if (!channel) return;
    this.#channels.delete(serviceId);
    for (const listener of channel.listeners) listener({ type: 'status', serviceId, status: 'forgotten' });
    channel.listeners.clear();
  }

  publish(serviceId: string, line: Omit<LiveLine, 'seq' | 'serviceId'>): LiveLine {
    const channel = this.#channel(serviceId);
    const live: LiveLine = { seq: ++channel.seq, serviceId, ...line };
    channel.history.push(live);
    if (channel.history.length > this.historySize) channel.history.splice(0, channel.history.length - this.historySize);
    this.#published++;
    for (const listener of channel.listeners) listener({ type: 'log', line: live });
    return live;
  }

  status(serviceId: string, status: string, message?: string): void {
    const channel = this.#channels.get(serviceId);
    if (!channel) return;
    for (const listener of channel.listeners)
      listener({ type: 'status', serviceId, status, ...(message ? { message } : {}) });
  }

  /** History after `afterSeq` (all of it by default), then live events until unsubscribed. */
  subscribe(serviceId: string, listener: Listener, afterSeq = 0): { history: LiveLine[]; unsubscribe: () => void } {
    const channel = this.#channel(serviceId);
    const history = channel.history.filter((l) => l.seq > afterSeq);
    channel.listeners.add(listener);
    return { history, unsubscribe: () => channel.listeners.delete(listener) };
  }

  /** Ends every subscription (shutdown). */
  closeAll(): void {
    for (const channel of this.#channels.values()) {
      for (const listener of channel.listeners) listener({ type: 'status', serviceId: '', status: 'server_shutdown' });
      channel.listeners.clear();
    }
  }
}
