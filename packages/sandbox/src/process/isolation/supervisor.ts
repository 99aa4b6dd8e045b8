/**
 * Keeps one service running by its restart policy: when it ends without
 * being stopped, it is started again after the backoff, until the start
 * limit is reached. Every end is handed to `onDeath` first (so each death
 * still gets its error file), then `'restarting'` or `'gave-up'` is emitted.
 */
import { EventEmitter } from 'node:events';
import type { DiedReport } from '../types.js';
import { type NormalizedRestart, RestartTracker, gaveUpMessage, restartingMessage } from './restart-policy.js';

/** What the supervisor needs of a started service (a `ServiceProcess` has it). */
export interface Supervised {
  readonly ended: Promise<DiedReport>;
  stop(): Promise<DiedReport>;
}

export interface SupervisorEvents {
  started: [service: Supervised, attempt: number];
  restarting: [info: { attempt: number; limit: number; delayMs: number; report: DiedReport; message: string }];
  'gave-up': [info: { failures: number; windowMs: number; report: DiedReport; message: string }];
  /** Supervision is over without a restart: the policy does not restart this end, or `stop()` was called. */
  finished: [report: DiedReport];
}

export interface SupervisorOptions {
  /** The name in log lines, `service_api`. */
  sandbox: string;
  policy: NormalizedRestart;
  /** Starts the service (again). A throw counts as a failed start and ends supervision with 'gave-up'. */
  start: () => Supervised;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  /** Called with every death before anything else happens. */
  onDeath?: (report: DiedReport) => void;
}

export class Supervisor extends EventEmitter<SupervisorEvents> {
  readonly #o: SupervisorOptions;
  readonly #tracker: RestartTracker;
  #current: Supervised | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #startedAt = 0;

  constructor(options: SupervisorOptions) {
    super();
    this.#o = options;
    this.#tracker = new RestartTracker(options.policy);
  }

  /** Restarts so far. */
  get restarts(): number {
    return this.#tracker.restarts;
  }

  /** The service running now (or the last one), `null` before the first start. */
  get current(): Supervised | null {
    return this.#current;
  }

  /** Starts the first instance; returns it. */
  begin(): Supervised {
    return this.#launch(0);
  }

  /** Supervises an instance started elsewhere (the runner's first start, which waits for readiness itself). */
  adopt(service: Supervised, startedAt: number = Date.now()): void {
    this.#current = service;
    this.#startedAt = startedAt;
    service.ended.then((report) => this.#ended(service, report));
  }

  /** A restart is waiting out its backoff. */
  get pending(): boolean {
    return this.#timer !== null;
  }

  /** Ends supervision: no more restarts, a pending restart is cancelled, the running instance is stopped. */
  async stop(): Promise<DiedReport | null> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    return this.#current === null ? null : this.#current.stop();
  }

  #launch(attempt: number): Supervised {
    const service = this.#o.start();
    this.#current = service;
    this.#startedAt = Date.now();
    this.emit('started', service, attempt);
    service.ended.then((report) => this.#ended(service, report));
    return service;
  }

  #ended(service: Supervised, report: DiedReport): void {
    if (service !== this.#current) return;
    this.#o.onDeath?.(report);
    const failed = report.exit.code !== 0 || report.exit.signal !== null;
    const decision = this.#tracker.decide({
      startedAt: this.#startedAt,
      endedAt: Date.now(),
      failed,
      stoppedByUs: this.#stopped,
    });
    if (decision.action === 'none') {
      this.emit('finished', report);
      return;
    }
    if (decision.action === 'give-up') {
      const message = gaveUpMessage(this.#o.sandbox, decision);
      this.#o.log('error', message);
      this.emit('gave-up', { failures: decision.failures, windowMs: decision.windowMs, report, message });
      return;
    }
    const message = restartingMessage(this.#o.sandbox, decision);
    this.#o.log('warn', message);
    this.emit('restarting', {
      attempt: decision.attempt,
      limit: decision.limit,
      delayMs: decision.delayMs,
      report,
      message,
    });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#stopped) return;
      try {
        this.#launch(decision.attempt);
      } catch (error) {
        const text = `Service ${this.#o.sandbox} could not be restarted: ${(error as Error).message}: giving up`;
        this.#o.log('error', text);
        this.emit('gave-up', {
          failures: decision.attempt,
          windowMs: this.#o.policy.startLimitIntervalMs,
          report,
          message: text,
        });
      }
    }, decision.delayMs);
  }
}
