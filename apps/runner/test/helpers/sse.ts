export interface SseMessage {
  event: string;
  data: any;
  id?: string;
}

/**
 * A real SSE client over fetch: collects events and lets a test wait for the
 * one it needs.
 */
export class SseClient {
  readonly events: SseMessage[] = [];
  #controller = new AbortController();
  #waiters: Array<{ match: (e: SseMessage) => boolean; resolve: (e: SseMessage) => void }> = [];
  #done: Promise<void>;
  status = 0;

  constructor(url: string, headers: Record<string, string> = {}) {
    this.#done = this.#read(url, headers);
  }

  async #read(url: string, headers: Record<string, string>): Promise<void> {
    try {
      const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: this.#controller.signal });
      this.status = res.status;
      if (!res.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      const reader = res.body.getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let at: number;
        while ((at = buffer.indexOf('\n\n')) >= 0) {
          this.#parse(buffer.slice(0, at));
          buffer = buffer.slice(at + 2);
        }
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }

  #parse(block: string): void {
    const message: SseMessage = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const colon = line.indexOf(':');
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).replace(/^ /, '');
      if (name === 'event') message.event = value;
      else if (name === 'data') data.push(value);
      else if (name === 'id') message.id = value;
    }
    if (data.length === 0) return;
    message.data = JSON.parse(data.join('\n'));
    this.events.push(message);
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.match(message)) return true;
      w.resolve(message);
      return false;
    });
  }

  /** Resolves with the first event (already received or future) that matches. */
  waitFor(match: (e: SseMessage) => boolean, what = 'event', timeoutMs = 30_000): Promise<SseMessage> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  logs(): string[] {
    return this.events.filter((e) => e.event === 'log').map((e) => e.data.message);
  }

  /** Resolves when the server ends the stream. */
  ended(): Promise<void> {
    return this.#done;
  }

  close(): void {
    this.#controller.abort();
  }
}
