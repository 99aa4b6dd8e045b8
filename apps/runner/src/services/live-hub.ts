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
  /** The retained tail is `history[start..]`; the slots before `start` are compacted away now and then. */
  history: LiveLine[];
  start: number;
  /** Bytes of the retained lines' text. */
  bytes: number;
  listeners: Set<Listener>;
}

/** What a line costs the history: its text's UTF-16 bytes and a fixed share for the record. */
const lineCost = (line: LiveLine) => line.message.length * 2 + 128;

/**
 * Fans live lines out to subscribers (SSE clients) and keeps a bounded tail per
 * service, numbered, so a client can replay history and resume after a drop
 * (`Last-Event-ID`).
 */
export class LiveHub {
  readonly historySize: number;
  readonly historyBytes: number;
  readonly maxChannels: number;
  #channels = new Map<string, Channel>();
  #published = 0;

  /**
   * Keeps at most `historySize` lines and `historyBytes` bytes per service, for at
   * most `maxChannels` services (idle ones go first).
   */
  constructor(historySize = 1000, maxChannels = 500, historyBytes = 1024 * 1024) {
    this.historySize = historySize;
    this.historyBytes = historyBytes;
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
      channel = { seq: 0, history: [], start: 0, bytes: 0, listeners: new Set() };
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
    channel.start = 0;
    channel.bytes = 0;
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
    channel.bytes += lineCost(live);
    // The newest line always stays, however long it is.
    while (
      channel.history.length - channel.start > 1 &&
      (channel.history.length - channel.start > this.historySize || channel.bytes > this.historyBytes)
    )
      channel.bytes -= lineCost(channel.history[channel.start++]!);
    if (channel.start >= 1024 && channel.start * 2 >= channel.history.length) {
      channel.history = channel.history.slice(channel.start);
      channel.start = 0;
    }
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

  /** The lines a service's history holds now. */
  retained(serviceId: string): number {
    const channel = this.#channels.get(serviceId);
    return channel ? channel.history.length - channel.start : 0;
  }

  /**
   * History after `afterSeq` (all of it by default), then live events until
   * unsubscribed. `missed` counts the lines after `afterSeq` that the history no
   * longer holds (a client resuming too late). An `afterSeq` past the newest
   * line is from an earlier life of the channel (the app restarted, or the id
   * was forgotten): the whole history is replayed.
   */
  subscribe(
    serviceId: string,
    listener: Listener,
    afterSeq = 0,
  ): { history: LiveLine[]; missed: number; unsubscribe: () => void } {
    const channel = this.#channel(serviceId);
    const after = afterSeq > channel.seq ? 0 : afterSeq;
    const retained = channel.history.slice(channel.start);
    const history = retained.filter((l) => l.seq > after);
    // Sequence numbers have no holes: whatever lies between `after` and the oldest line kept is gone.
    const oldest = history[0]?.seq ?? channel.seq + 1;
    const missed = after > 0 ? Math.max(0, oldest - after - 1) : 0;
    channel.listeners.add(listener);
    return { history, missed, unsubscribe: () => channel.listeners.delete(listener) };
  }

  /** Ends every subscription (shutdown). */
  closeAll(): void {
    for (const channel of this.#channels.values()) {
      for (const listener of channel.listeners) listener({ type: 'status', serviceId: '', status: 'server_shutdown' });
      channel.listeners.clear();
    }
  }
}
