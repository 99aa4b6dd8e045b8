import { CODES, coreError } from './codes.js';
import { warnStderr } from './stderr.js';
import { DEFAULT_PATTERN, patternFormatter } from './formatters/pattern.js';
import { checkKeys, KNOWN } from './known-options.js';
import { parseLevel } from './levels.js';
import { liveHandlers } from './live.js';
import type { Formatter, Handler, LevelInput, LogRecord } from './types.js';

/** What a handler does with a formatted record: the part {@link createHandler} wraps. */
export interface HandlerSpec {
  /** Short description for error reports, e.g. `'file:/var/log/app.log'`. */
  name: string;
  /** Minimum level this handler accepts. @default 'NOTSET' (everything) */
  level?: LevelInput;
  /** Turns the record into text. @default patternFormatter(DEFAULT_PATTERN) */
  formatter?: Formatter;
  /** Writes one formatted line (no trailing newline). May throw: the failure is counted and reported once. */
  emit(line: string, record: LogRecord): void;
  /** Resolves once everything emitted so far is written. */
  flush?(): Promise<void> | void;
  /** Writes everything synchronously (used when the process is exiting). */
  flushSync?(): void;
  /** Releases resources; called once, after a final flush. */
  close?(): Promise<void> | void;
}

/** A handler's state for `/health` and `/metrics` (see `handlerHealth()`). */
export interface HandlerHealth {
  name: string;
  /** `'degraded'` while writes fail (the handler retries on its own), `'closed'` after `close()`. */
  state: 'ok' | 'degraded' | 'closed';
  /** Records that could not be written (lost), since the handler was made. */
  errors: number;
  /** Stream handlers: lines dropped because the reader was slow. */
  dropped?: number;
  /** The last failure's message, while degraded. */
  lastError?: string;
  /** When the handler became degraded (ms since the epoch). */
  degradedSince?: number;
}

/** A handler made by {@link createHandler}: a {@link Handler} with its formatter and a way to report asynchronous failures. */
export interface ManagedHandler extends Handler {
  /** State for `/health` and `/metrics`. */
  readonly health: HandlerHealth;
  /** Marks the handler degraded (writes fail; it retries on its own) after `fail()`; `recover()` ends it. */
  degrade(error: unknown): void;
  /** Writes succeed again: reported once on stderr with the records lost meanwhile. */
  recover(): void;
  readonly formatter: Formatter;
  setFormatter(formatter: Formatter): void;
  /** Reports a failure that happened outside `emit` (a stream error event): counted, reported once on stderr. */
  fail(error: unknown, lostRecords?: number): void;
  /** Writes everything synchronously when the kind supports it; never throws. */
  flushSync(): void;
  readonly closed: boolean;
}

class ManagedHandlerImpl implements ManagedHandler {
  readonly name: string;
  #level: number;
  #formatter: Formatter;
  #errors = 0;
  #reported = false;
  #closing: Promise<void> | undefined;
  #degradedSince: number | undefined;
  #lastError: string | undefined;
  #errorsAtDegrade = 0;
  readonly #spec: HandlerSpec;

  constructor(spec: HandlerSpec) {
    this.#spec = spec;
    this.name = spec.name;
    this.#level = spec.level === undefined ? 0 : parseLevel(spec.level);
    this.#formatter = spec.formatter ?? patternFormatter(DEFAULT_PATTERN);
    liveHandlers.add(this);
  }

  get level(): number {
    return this.#level;
  }

  get errors(): number {
    return this.#errors;
  }

  get formatter(): Formatter {
    return this.#formatter;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  get health(): HandlerHealth {
    const out: HandlerHealth = {
      name: this.name,
      state: this.#closing !== undefined ? 'closed' : this.#degradedSince !== undefined ? 'degraded' : 'ok',
      errors: this.#errors,
    };
    const dropped = (this as { dropped?: unknown }).dropped;
    if (typeof dropped === 'number') out.dropped = dropped;
    if (this.#degradedSince !== undefined) {
      out.degradedSince = this.#degradedSince;
      if (this.#lastError !== undefined) out.lastError = this.#lastError;
    }
    return out;
  }

  degrade(error: unknown): void {
    this.#lastError =
      error instanceof Error
        ? `${(error as NodeJS.ErrnoException).code ?? error.name}: ${error.message}`
        : String(error);
    if (this.#degradedSince !== undefined) return;
    this.#degradedSince = Date.now();
    this.#errorsAtDegrade = this.#errors;
  }

  recover(): void {
    if (this.#degradedSince === undefined) return;
    const lost = this.#errors - this.#errorsAtDegrade;
    const seconds = ((Date.now() - this.#degradedSince) / 1000).toFixed(1);
    this.#degradedSince = undefined;
    this.#lastError = undefined;
    // A later failure is a new episode: reported again.
    this.#reported = false;
    warnStderr(
      `handler ${this.name} recovered after ${seconds} s; ${lost} records were lost while it failed (counted in handler.errors).`,
    );
  }

  setLevel(level: LevelInput): void {
    this.#level = parseLevel(level);
  }

  setFormatter(formatter: Formatter): void {
    if (typeof formatter !== 'function') {
      throw coreError(
        CODES.INVALID_ARGUMENT,
        `[@pactown/log-core] Invalid formatter: ${String(formatter)}; expected a function (record) => string.`,
      );
    }
    this.#formatter = formatter;
  }

  handle(record: LogRecord): void {
    if (record.level < this.#level) return;
    if (this.#closing !== undefined) {
      this.fail(coreError(CODES.HANDLER_CLOSED, 'the handler is closed', Error));
      return;
    }
    try {
      this.#spec.emit(this.#formatter(record), record);
    } catch (error) {
      this.fail(error);
    }
  }

  fail(error: unknown, lostRecords = 1): void {
    this.#errors += lostRecords;
    if (this.#reported) return;
    this.#reported = true;
    const code = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.name) : undefined;
    const reason =
      error instanceof Error
        ? error.message.startsWith(`${code}`)
          ? error.message
          : `${code}: ${error.message}`
        : String(error);
    warnStderr(
      `handler ${this.name} failed (${reason}). Records it cannot write are counted in handler.errors; this is reported once.`,
    );
  }

  async flush(): Promise<void> {
    try {
      await this.#spec.flush?.();
    } catch (error) {
      this.fail(error, 0);
    }
  }

  flushSync(): void {
    try {
      this.#spec.flushSync?.();
    } catch (error) {
      this.fail(error, 0);
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.flush();
      try {
        await this.#spec.close?.();
      } catch (error) {
        this.fail(error, 0);
      }
      liveHandlers.delete(this);
    })();
    return this.#closing;
  }
}

/**
 * The building block of every handler (and of third-party ones): level filter,
 * formatting, error isolation and counting, flush/close bookkeeping.
 */
export function createHandler(spec: HandlerSpec): ManagedHandler {
  if (spec === null || typeof spec !== 'object') {
    throw coreError(
      CODES.INVALID_ARGUMENT,
      `[@pactown/log-core] Invalid handler spec: ${String(spec)}; expected an object.`,
    );
  }
  checkKeys(spec, KNOWN.handlerSpec, 'createHandler()');
  if (typeof spec.name !== 'string' || spec.name === '') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option name: ${String(spec.name)}; expected a non-empty string.`,
    );
  }
  if (typeof spec.emit !== 'function') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option emit: ${String(spec.emit)}; expected a function (line, record) => void.`,
    );
  }
  if (spec.formatter !== undefined && typeof spec.formatter !== 'function') {
    throw coreError(
      CODES.INVALID_OPTION,
      `[@pactown/log-core] Invalid option formatter: ${String(spec.formatter)}; expected a function (record) => string.`,
    );
  }
  return new ManagedHandlerImpl(spec);
}
