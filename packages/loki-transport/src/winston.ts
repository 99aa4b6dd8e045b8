import TransportStream from 'winston-transport';
// A named type import resolves without esModuleInterop too (winston-transport's types use `export =`).
import type { TransportStreamOptions } from 'winston-transport';
import { createLokiClient, type LokiClient } from './client.js';
import { fromWinston } from './record.js';
import type { LineFormat, LokiOptions } from './types.js';

/**
 * Options of the winston transport: the client's options plus winston's own.
 * `format` is winston's (a logform format applied before the transport);
 * the Loki line format is `lineFormat`.
 */
export interface LokiWinstonOptions
  extends Omit<LokiOptions, 'format'>,
    Pick<TransportStreamOptions, 'level' | 'format' | 'silent' | 'handleExceptions' | 'handleRejections'> {
  /** The Loki line format. @default 'logfmt' */
  lineFormat?: LineFormat;
  /** Logger name used when an `info` has no `logger` (or `label`) field. @default 'root' */
  logger?: string;
}

/**
 * A winston transport that ships through one `LokiClient`:
 * `new winston.transports.Console()`'s sibling,
 * `winston.createLogger({ transports: [new LokiTransport({ url })] })`.
 * winston's level names map to Python-style ones (`warn` → `warning`).
 */
export class LokiTransport extends TransportStream {
  /** The underlying client (counters, flush, ready). */
  readonly client: LokiClient;
  #logger: string;

  constructor(options: LokiWinstonOptions) {
    const { level, format, silent, handleExceptions, handleRejections, logger, lineFormat, ...rest } =
      options ?? ({} as LokiWinstonOptions);
    super({ level, format, silent, handleExceptions, handleRejections });
    this.#logger = logger ?? 'root';
    this.client = createLokiClient(lineFormat === undefined ? rest : { ...rest, format: lineFormat });
  }

  /**
   * Queues one winston `info`. The callback is optional (winston always
   * passes one, direct callers may not); `'logged'` is emitted once the line
   * is in the client's batch, as winston's own transports do.
   */
  override log(info: Record<string, unknown>, callback?: () => void): boolean {
    const logged = () => setImmediate(() => this.emit('logged', info));
    if (this.client.push(fromWinston(info, this.#logger))) {
      logged();
      // At once: lines winston still buffers would miss a process.exit() right after the log call.
      callback?.();
    } else {
      // Backpressure: winston's stream waits for the callback before the next write.
      void this.client.waitForRoom().then(() => {
        logged();
        callback?.();
      });
    }
    return true;
  }

  /** Sends what is queued; resolves once Loki accepted it (or after `drainTimeout`). */
  flush(): Promise<void> {
    return this.client.flush();
  }

  /** Flushes and stops the client (winston calls this when the transport is removed or the logger closes). */
  override close(): Promise<void> {
    return this.client.close();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.client.close().then(() => callback(), callback);
  }
}

/** Factory form of `new LokiTransport(options)`. */
export function lokiWinstonTransport(options: LokiWinstonOptions): LokiTransport {
  return new LokiTransport(options);
}

export default LokiTransport;
