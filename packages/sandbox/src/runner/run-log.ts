import type { MessageLevel, MessageSink, MessageStream } from '../deps/types.js';
import { LOGGER_NAME } from '../process/logger.js';
import type { SandboxLogger, ServiceLogRecord } from '../process/types.js';
import type { OnLogCallback } from './types.js';

const NUMBERS: Record<MessageLevel, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const NAMES: Record<MessageLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/** Where a run's records go besides its own onLog: the runner's 'log' event and history. */
export type RecordListener = (record: ServiceLogRecord) => void;

/**
 * The messages of one run: each goes to its logger (with the `service`
 * binding), to onLog (by the callback's arity), to the runner's listeners,
 * and, at or above the threshold, into `logs`. A throwing onLog is reported
 * once and never breaks the run.
 */
export class RunLog {
  readonly serviceId: string;
  readonly logs: string[] = [];
  readonly #loggers: Record<string, SandboxLogger>;
  readonly #threshold: number;
  readonly #listener: RecordListener;
  #onLog: OnLogCallback | undefined;
  #callbackFailed = false;
  #detached = false;

  constructor(options: {
    serviceId: string;
    logger: SandboxLogger;
    fastStartLogger: SandboxLogger;
    threshold: number;
    onLog: OnLogCallback | undefined;
    listener: RecordListener;
  }) {
    this.serviceId = options.serviceId;
    this.#loggers = {
      [LOGGER_NAME]: options.logger.child({ service: options.serviceId }),
      'pactown.fast_start': options.fastStartLogger.child({ service: options.serviceId }),
    };
    this.#threshold = options.threshold;
    this.#onLog = options.onLog;
    this.#listener = options.listener;
  }

  /** The sandbox logger with the service binding, for the process layer. */
  get logger(): SandboxLogger {
    return this.#loggers[LOGGER_NAME]!;
  }

  /** One of our own messages (or an installer line): logged, then delivered. */
  emit(level: MessageLevel, message: string, detail?: { stream?: MessageStream; logger?: string }): void {
    const name = detail?.logger ?? LOGGER_NAME;
    const stream = detail?.stream ?? 'system';
    const logger = this.#loggers[name] ?? this.logger;
    if (stream === 'system') logger[level](message);
    else logger[level]({ stream }, message);
    this.deliver({ message, level: NUMBERS[level], levelName: NAMES[level], logger: name, time: Date.now(), serviceId: this.serviceId, stream });
  }

  /** This run's messages as a sink for the dependency layer. */
  get sink(): MessageSink {
    return (level, message, detail) => this.emit(level, message, detail);
  }

  /** A record the process layer already logged: delivered only. */
  deliver(record: ServiceLogRecord): void {
    this.#listener(record);
    if (this.#detached) return;
    if (record.level >= this.#threshold) this.logs.push(record.message);
    const onLog = this.#onLog;
    if (onLog === undefined) return;
    try {
      // The original calls on_log(msg); a callback that declares a second parameter also gets the record.
      if (onLog.length >= 2) onLog(record.message, record);
      else (onLog as (message: string) => void)(record.message);
    } catch (error) {
      if (!this.#callbackFailed) {
        this.#callbackFailed = true;
        this.logger.warn({ err: error }, '[@pactown/sandbox] onLog threw; the run goes on and further errors from it are ignored');
      }
    }
  }

  /** Ends onLog delivery and `logs` collection: the run has its result. Later records reach only the listeners. */
  detach(): void {
    this.#detached = true;
    this.#onLog = undefined;
  }
}
