import { EventEmitter } from 'node:events';
import { CODES, sandboxError } from '../errors.js';
import { rm } from 'node:fs/promises';
import { EnvCache } from '../deps/cache.js';
import type { DependencySettings } from '../deps/setup.js';
import type { DiedReport, ServiceLogRecord } from '../process/types.js';
import { loadService } from '../spec/validate.js';
import { assertServiceId, sandboxName } from '../workspace/service-id.js';
import { KeyedQueue } from './keyed-queue.js';
import { type NormalizedRunnerOptions, normalizeRunnerOptions, normalizeRunOptions } from './options.js';
import { ServiceRecords } from '../process/service-records.js';
import { FAST_START_LOGGER } from '../deps/cache.js';
import { collectRunLog } from './run-log.js';
import { type Instance, startAndWait } from './start.js';
import { Supervisor } from '../process/isolation/supervisor.js';
import type {
  GaveUpInfo,
  RestartingInfo,
  RunOptions,
  RunResult,
  ServiceInfo,
  ServiceRunnerOptions,
  StopResult,
} from './types.js';

/** Events of a ServiceRunner. */
export interface ServiceRunnerEvents {
  /** Every live record of every service: our messages, installer lines, service output. */
  log: [serviceId: string, record: ServiceLogRecord];
  /** A service that had started successfully ended without being stopped (every death, also one followed by a restart). */
  died: [report: DiedReport];
  /** After a 'died': the restart policy starts it again after `delayMs`. */
  restarting: [info: RestartingInfo];
  /** After a 'died': the start limit is reached, the service stays down. */
  'gave-up': [info: GaveUpInfo];
}

/**
 * Runs services from markpact Markdown: validates the content, builds the
 * sandbox, prepares dependencies (through the cache), starts the process,
 * waits for its health check, and watches it afterwards.
 */
export class ServiceRunner extends EventEmitter<ServiceRunnerEvents> {
  readonly #o: NormalizedRunnerOptions;
  readonly #deps: DependencySettings;
  readonly #queue = new KeyedQueue();
  readonly #instances = new Map<string, Instance>();
  /** One controller per run waiting for readiness; close() aborts each, so no shared signal collects listeners. */
  readonly #waiting = new Set<AbortController>();
  #closed: Promise<void> | null = null;

  constructor(options: ServiceRunnerOptions) {
    super();
    this.#o = normalizeRunnerOptions(options);
    const o = this.#o;
    const cache = o.cache
      ? new EnvCache({ dir: o.cacheDir, maxEntries: o.cacheMaxEntries, maxAgeMs: o.cacheMaxAgeMs })
      : null;
    this.#deps = { cache, python: o.python, pipArgs: o.pipArgs, npm: o.npm, npmArgs: o.npmArgs, env: o.installerEnv };
  }

  /** The sandboxes root, resolved. */
  get sandboxesDir(): string {
    return this.#o.sandboxesDir;
  }

  /**
   * Runs a service and resolves when it answers its health check or has
   * failed; never rejects for a failing service (see `errorCategory`). An
   * invalid service id, port or option rejects with a TypeError. Calls for
   * the same id run one after another; a running instance is replaced.
   */
  runFromContent(options: RunOptions): Promise<RunResult> {
    try {
      assertServiceId(options?.serviceId);
      const run = normalizeRunOptions(options, this.#o);
      if (this.#closed !== null)
        return Promise.reject(
          sandboxError(Error, CODES.RUNNER_CLOSED, 'the runner is closed; create a new ServiceRunner'),
        );
      return this.#queue.run(run.serviceId, () => this.#run(run));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #run(run: ReturnType<typeof normalizeRunOptions>): Promise<RunResult> {
    // One path for every record of this service: logged once, then to the 'log' event and to this run.
    const records = new ServiceRecords({
      serviceId: run.serviceId,
      logger: this.#o.logger,
      loggers: { [FAST_START_LOGGER]: this.#o.fastStartLogger },
      logOutput: true,
    });
    records.subscribe((record) => this.#record(record));
    const log = collectRunLog(records, this.#o.logsLevel, run.onLog, {
      maxLines: this.#o.logsMaxLines,
      maxBytes: this.#o.logsMaxBytes,
    });
    const closing = new AbortController();
    if (this.#closed !== null) closing.abort();
    this.#waiting.add(closing);
    try {
      const { spec, problems } = loadService(run.content);
      records.system('info', `Found ${spec.files.length} files, ${spec.deps.length} dependencies`);
      const previous = this.#instances.get(run.serviceId);
      // Invalid new content leaves the running instance alone.
      if (previous !== undefined && problems.length === 0) {
        records.system(
          'info',
          `Service ${sandboxName(run.serviceId)} is already running (PID ${previous.process.pid}): stopping it before the restart`,
        );
        await this.#stopInstance(previous, records, false);
      }
      const outcome = await startAndWait({
        run,
        spec,
        problems,
        records,
        log,
        runner: this.#o,
        deps: this.#deps,
        signal: closing.signal,
      });
      if (outcome.instance !== null) this.#watch(outcome.instance);
      return { ...outcome.result, logs: log.logs() };
    } finally {
      this.#waiting.delete(closing);
      log.detach();
    }
  }

  /**
   * Keeps a started service under watch: a death we did not cause becomes a
   * 'died' event, then its restart policy decides ('restarting' or 'gave-up').
   */
  #watch(instance: Instance): void {
    const id = instance.info.serviceId;
    this.#instances.set(id, instance);
    const name = sandboxName(id);
    const current = (): boolean => this.#instances.get(id) === instance && !instance.stopping;
    const readiness = new AbortController();
    const supervisor = new Supervisor({
      sandbox: name,
      policy: instance.restart,
      start: () => {
        const proc = instance.launch();
        instance.process = proc;
        instance.info.pid = proc.pid;
        instance.info.startedAt = new Date(proc.startedAt).toISOString();
        void instance.waitReady(proc, readiness.signal).then((ready) => {
          if (!ready.ready || instance.process !== proc || !current()) return;
          instance.info.state = 'running';
          instance.records.system('info', `✓ Project running on http://localhost:${instance.info.port} (restarted)`);
        });
        return proc;
      },
      log: (level, message) => instance.records.system(level, message),
      onDeath: (report) => {
        if (!current()) return;
        instance.records.system('error', `❌ Service ${name} died after it had started: ${report.message}`);
        this.#emit('died', report);
      },
    });
    instance.supervisor = supervisor;
    const finish = (): void => {
      readiness.abort();
      if (this.#instances.get(id) !== instance) return;
      this.#instances.delete(id);
      instance.lease?.release();
    };
    supervisor.on('restarting', (info) => {
      if (!current()) return;
      instance.info.state = 'restarting';
      instance.info.restarts = supervisor.restarts;
      this.#emit('restarting', { serviceId: id, ...info });
    });
    supervisor.on('gave-up', (info) => {
      if (!current()) return;
      finish();
      this.#emit('gave-up', { serviceId: id, ...info });
    });
    supervisor.on('finished', () => {
      if (!instance.stopping) finish();
    });
    supervisor.adopt(instance.process, instance.process.startedAt);
  }

  /** Emits an event; a listener that throws is logged, never lets the runner fail. */
  #emit<K extends 'died' | 'restarting' | 'gave-up'>(event: K, ...args: ServiceRunnerEvents[K]): void {
    try {
      (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    } catch (error) {
      const service = (args[0] as { serviceId: string }).serviceId;
      this.#o.logger.error({ err: error, service }, `[@pactown/sandbox] a '${event}' listener threw`);
    }
  }

  #record(record: ServiceLogRecord): void {
    if (this.listenerCount('log') === 0) return;
    try {
      this.emit('log', record.serviceId, record);
    } catch (error) {
      this.#o.logger.error({ err: error, service: record.serviceId }, "[@pactown/sandbox] a 'log' listener threw");
    }
  }

  /** Stops a running service (after any run of the same id in progress). */
  stop(serviceId: string): Promise<StopResult> {
    try {
      assertServiceId(serviceId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.run(serviceId, async () => {
      const instance = this.#instances.get(serviceId);
      if (instance === undefined) {
        return {
          success: false,
          serviceId,
          message: `Service ${sandboxName(serviceId)} is not running`,
          report: null,
          killed: 0,
        };
      }
      const waiting = instance.info.state === 'restarting' && !instance.process.running;
      const report = await this.#stopInstance(instance, instance.records, this.#o.removeSandboxOnStop);
      const message = waiting
        ? `Service ${sandboxName(serviceId)} stopped (its restart was cancelled)`
        : `Service ${sandboxName(serviceId)} stopped`;
      return { success: true, serviceId, message, report, killed: instance.process.stopSummary?.killed ?? 0 };
    });
  }

  async #stopInstance(instance: Instance, records: ServiceRecords, removeSandbox: boolean): Promise<DiedReport> {
    instance.stopping = true;
    records.system('info', `Stopping service on port ${instance.info.port}`);
    // No restart after this; a restart waiting out its backoff is cancelled.
    void instance.supervisor?.stop();
    const report = await instance.process.stop({ graceMs: this.#o.killGraceMs });
    if (this.#instances.get(instance.info.serviceId) === instance) this.#instances.delete(instance.info.serviceId);
    instance.lease?.release();
    records.system('info', 'Process terminated');
    if (removeSandbox) {
      await rm(instance.info.sandboxPath, { recursive: true, force: true });
      records.system('info', 'Sandbox cleaned up');
    }
    return report;
  }

  /** Running services. */
  list(): ServiceInfo[] {
    return [...this.#instances.values()].map((i) => ({ ...i.info }));
  }

  /** One running service, or `undefined`. */
  get(serviceId: string): ServiceInfo | undefined {
    const instance = this.#instances.get(serviceId);
    return instance === undefined ? undefined : { ...instance.info };
  }

  /** Ends runs waiting for readiness, stops every service and refuses new runs. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const closing of this.#waiting) closing.abort();
      await this.#queue.idle();
      await Promise.all(
        [...this.#instances.values()].map((i) =>
          this.#stopInstance(i, i.records, this.#o.removeSandboxOnStop).catch(() => undefined),
        ),
      );
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
