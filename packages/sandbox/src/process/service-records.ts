/**
 * The one path a service's records take: each message about the service and
 * each line it writes becomes one record, logged once on its logger (with
 * the `service` binding) and handed to every subscriber (the caller's
 * `onLog`, readiness waits, the runner). Output lines are masked here, before
 * anyone sees them.
 */
import * as core from '@pactown/log-core';
import { LEVELS } from '@pactown/log-core';

/** log-core's mark that a message was masked where it entered (absent in an older log-core: then it masks again). */
const MASKED_KEY: symbol | undefined = (core as { MASKED?: symbol }).MASKED;
import type { LevelKey, OutputStream, SandboxLogger, ServiceLogRecord } from './types.js';

/** The logger name every record of this package carries. */
export const LOGGER_NAME = 'pactown.sandbox';

const LEVEL: Record<LevelKey, { level: number; levelName: string }> = {
  debug: { level: LEVELS.DEBUG, levelName: 'DEBUG' },
  info: { level: LEVELS.INFO, levelName: 'INFO' },
  warn: { level: LEVELS.WARNING, levelName: 'WARNING' },
  error: { level: LEVELS.ERROR, levelName: 'ERROR' },
};

/** Receives every record of a service. */
export type OnLog = (record: ServiceLogRecord) => void;

/** Masks the lines of one output stream, in order (a PEM block's state is carried from line to line). */
export interface StreamMasker {
  line(text: string): string;
  /** `false` promises `line` would change no line of `block` (and no block is open). */
  mayNeedRedaction(block: string): boolean;
}

export interface ServiceRecordsOptions {
  serviceId: string;
  /** Gets a `service` binding. */
  logger: SandboxLogger;
  /** Other named loggers a message may go to (e.g. `pactown.fast_start`); each gets the binding too. */
  loggers?: Readonly<Record<string, SandboxLogger>>;
  /** Log every output line too (INFO, `stream` field). */
  logOutput: boolean;
}

const UNMASKED: StreamMasker = { line: (text) => text, mayNeedRedaction: () => false };

/** Builds, logs and delivers the records of one service. */
export class ServiceRecords {
  readonly serviceId: string;
  /** The logger with the `service` binding. */
  readonly logger: SandboxLogger;
  readonly #loggers: Map<string, SandboxLogger>;
  readonly #subscribers = new Set<OnLog>();
  // Subscribers that show the records to someone (a caller's onLog), as opposed to readiness waits and event relays.
  #shown = 0;
  readonly #base: SandboxLogger;
  readonly #logOutput: boolean;
  #maskers: Record<'stdout' | 'stderr', StreamMasker> = { stdout: UNMASKED, stderr: UNMASKED };
  // True while the lines of a chunk that needs no masking are being delivered, per stream.
  readonly #clean = { stdout: false, stderr: false };
  #callbackFailed = false;

  constructor(options: ServiceRecordsOptions) {
    this.serviceId = options.serviceId;
    this.#base = options.logger;
    this.logger = options.logger.child({ service: options.serviceId });
    this.#loggers = new Map([[LOGGER_NAME, this.logger]]);
    for (const [name, logger] of Object.entries(options.loggers ?? {}))
      this.#loggers.set(name, logger.child({ service: options.serviceId }));
    this.#logOutput = options.logOutput;
  }

  /** The maskers of the service's two streams (set by the process when it starts: they know its environment). */
  useMaskers(maskers: Record<'stdout' | 'stderr', StreamMasker>): void {
    this.#maskers = maskers;
  }

  /**
   * Adds a subscriber to every later record; returns the unsubscribe function.
   * A throwing one is reported once. `shows`: it shows the records to a person
   * (the caller's `onLog`), see {@link ServiceRecords.system}.
   */
  subscribe(listener: OnLog, options?: { shows?: boolean }): () => void {
    if (this.#subscribers.has(listener)) return () => {};
    const shows = options?.shows === true;
    this.#subscribers.add(listener);
    if (shows) this.#shown++;
    return () => {
      if (this.#subscribers.delete(listener) && shows) this.#shown--;
    };
  }

  /**
   * The lines of `block` are about to be delivered (null: they have been).
   * One check over the whole chunk decides whether its lines need masking one
   * by one; a busy service's chunks without secret syntax skip it. Returns
   * whether the block is clean (its text may be kept as it is).
   */
  block(stream: 'stdout' | 'stderr', block: string | null): boolean {
    const clean = block !== null && !this.#maskers[stream].mayNeedRedaction(block);
    this.#clean[stream] = clean;
    return clean;
  }

  /**
   * Masks one line where it enters, once: everything after this (records,
   * tails, the died report) holds the masked text only.
   */
  mask(stream: 'stdout' | 'stderr', text: string): string {
    return this.#clean[stream] ? text : this.#maskers[stream].line(text);
  }

  /**
   * A message about the service (stream `'system'`), or a line of another
   * program run for it (an installer: `stream` `'stdout'`/`'stderr'`, on the
   * logger `logger` names).
   */
  system(
    level: LevelKey,
    message: string,
    detail?: { fields?: Record<string, unknown>; stream?: OutputStream; logger?: string },
  ): void {
    const name = detail?.logger ?? LOGGER_NAME;
    const stream = detail?.stream ?? 'system';
    const logger = this.#loggers.get(name) ?? this.logger;
    const fields = stream === 'system' ? detail?.fields : { ...detail?.fields, stream };
    // With no log-core handler anywhere, log-core's last resort would print a warning or an error
    // that a caller's onLog prints too: then onLog is the output, and the record is not logged twice.
    if (!(level !== 'debug' && level !== 'info' && this.#shown > 0 && !hasHandlers(this.#base))) {
      if (fields === undefined) logger[level](message);
      else logger[level](fields, message);
    }
    this.#deliver(this.record(level, message, stream, Date.now(), name));
  }

  /** A debug detail for the logger only (environment keys, file lists). */
  debug(message: string, fields?: Record<string, unknown>): void {
    if (fields === undefined) this.logger.debug(message);
    else this.logger.debug(fields, message);
  }

  /** One line the service wrote, already {@link mask}ed; `time` is when its chunk arrived (one clock read per chunk). */
  output(stream: 'stdout' | 'stderr', masked: string, split: boolean, time: number): void {
    if (!this.#logOutput && this.#subscribers.size === 0) return;
    if (this.#logOutput)
      this.logger.info(MASKED_KEY === undefined ? { stream } : { stream, [MASKED_KEY]: true }, masked);
    if (this.#subscribers.size === 0) return;
    const record = this.record('info', masked, stream, time);
    if (split) record.split = true;
    this.#deliver(record);
  }

  /** A record of this service, as subscribers get it (not logged, not delivered). */
  record(
    level: LevelKey,
    message: string,
    stream: OutputStream = 'system',
    time = Date.now(),
    logger = LOGGER_NAME,
  ): ServiceLogRecord {
    const { level: number, levelName } = LEVEL[level];
    return { message, level: number, levelName, logger, time, serviceId: this.serviceId, stream };
  }

  #deliver(record: ServiceLogRecord): void {
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(record);
      } catch (error) {
        this.callbackFailed(error);
      }
    }
  }

  /** A broken callback must not stop the capture or the run; say so once. */
  callbackFailed(error: unknown): void {
    if (this.#callbackFailed) return;
    this.#callbackFailed = true;
    this.logger.warn(
      { err: error },
      '[@pactown/sandbox] a log callback threw (onLog threw); capture and the run go on, and further errors from it are ignored',
    );
  }
}

/**
 * Whether a log-core logger meets a handler on its way up (Python's
 * `Logger.hasHandlers()`); any other logger (pino, a test double) counts as
 * having one, since it writes somewhere of its own.
 */
function hasHandlers(logger: SandboxLogger): boolean {
  let node = logger as unknown as { handlers?: readonly unknown[]; parentLogger?: unknown; propagate?: boolean } | null;
  if (node === null || !Array.isArray(node.handlers) || !('parentLogger' in node)) return true;
  while (node !== null && node !== undefined) {
    if ((node.handlers?.length ?? 0) > 0) return true;
    if (node.propagate === false) return false;
    node = node.parentLogger as typeof node;
  }
  return false;
}

const noop = (): void => {};

/** A logger that drops everything (benchmarks and tests that count only the callback). */
export const silentLogger: SandboxLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
