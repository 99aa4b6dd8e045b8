/**
 * One place where a service's messages go out: to the logger (with the
 * `service` binding) and to the `onLog` callback, as the same record.
 */
import type { OutputStream, SandboxLogger, ServiceLogRecord } from './types.js';

/** The logger name every record of this package carries. */
export const LOGGER_NAME = 'pactown.sandbox';

export type LevelKey = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_NUMBERS: Record<LevelKey, number> = { debug: 20, info: 30, warn: 40, error: 50 };
const LEVEL_NAMES: Record<LevelKey, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

const noop = (): void => {};

/** A logger that drops everything (used when none is given). */
export const silentLogger: SandboxLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};

export type OnLog = (record: ServiceLogRecord) => void;

/** Sends a service's messages and output lines to its logger and callback. */
export class ServiceLog {
  readonly serviceId: string;
  readonly logger: SandboxLogger;
  readonly #onLog: OnLog | undefined;
  readonly #logOutput: boolean;
  readonly #redact: (text: string) => string;
  readonly #redactCheck: (block: string) => boolean;
  // True while the lines of a chunk that needs no masking are being delivered.
  #clean = false;
  #callbackFailed = false;

  constructor(
    logger: SandboxLogger,
    serviceId: string,
    onLog: OnLog | undefined,
    logOutput: boolean,
    redact: (text: string) => string = (text) => text,
    redactCheck: (block: string) => boolean = () => true,
  ) {
    this.serviceId = serviceId;
    this.logger = logger.child({ service: serviceId });
    this.#onLog = onLog;
    this.#logOutput = logOutput;
    this.#redact = redact;
    this.#redactCheck = redactCheck;
  }

  /**
   * The lines of `block` are about to be delivered (null: they have been).
   * One check over the whole chunk decides whether its lines need masking one
   * by one; a busy service's chunks without secret syntax skip it.
   */
  block(block: string | null): void {
    this.#clean = block !== null && (this.#onLog !== undefined || this.#logOutput) && !this.#redactCheck(block);
  }

  /** A message about the service (stream `'system'`). */
  system(level: LevelKey, message: string, fields?: Record<string, unknown>): void {
    if (fields === undefined) this.logger[level](message);
    else this.logger[level](fields, message);
    this.#deliver(level, message, 'system', false);
  }

  /** A debug detail for the logger only (environment keys, file lists). */
  debug(message: string, fields?: Record<string, unknown>): void {
    if (fields === undefined) this.logger.debug(message);
    else this.logger.debug(fields, message);
  }

  /** One line the service wrote; `time` is when its chunk arrived (one clock read per chunk, not per line). */
  output(stream: 'stdout' | 'stderr', text: string, split: boolean, time: number): void {
    if (!this.#logOutput && this.#onLog === undefined) return;
    // Masked before it goes anywhere: the logger may be any pino-compatible one, which masks nothing,
    // and the callback feeds UIs and API answers.
    const masked = this.#clean ? text : this.#redact(text);
    if (this.#logOutput) this.logger.info({ stream }, masked);
    if (this.#onLog !== undefined) this.#deliver('info', masked, stream, split, time);
  }

  #deliver(level: LevelKey, message: string, stream: OutputStream, split: boolean, time = Date.now()): void {
    const onLog = this.#onLog;
    if (onLog === undefined) return;
    const record: ServiceLogRecord = {
      message,
      level: LEVEL_NUMBERS[level],
      levelName: LEVEL_NAMES[level],
      logger: LOGGER_NAME,
      time,
      serviceId: this.serviceId,
      stream,
    };
    if (split) record.split = true;
    try {
      onLog(record);
    } catch (error) {
      this.callbackFailed(error);
    }
  }

  /** A broken callback must not stop the capture; say so once. */
  callbackFailed(error: unknown): void {
    if (this.#callbackFailed) return;
    this.#callbackFailed = true;
    this.logger.warn({ err: error }, '[@pactown/sandbox] a log callback threw; further errors from it are ignored');
  }
}
