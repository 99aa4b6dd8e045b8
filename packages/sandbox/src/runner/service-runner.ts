import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { EnvCache } from '../deps/cache.js';
import type { DependencySettings } from '../deps/setup.js';
import type { DiedReport, ServiceLogRecord } from '../process/types.js';
import { loadService } from '../spec/validate.js';
import { assertServiceId, sandboxName } from '../workspace/service-id.js';
import { History } from './history.js';
import { KeyedQueue } from './keyed-queue.js';
import { type NormalizedRunnerOptions, normalizeRunnerOptions, normalizeRunOptions } from './options.js';
import { RunLog } from './run-log.js';
import { type Instance, startAndWait } from './start.js';
import type { RunOptions, RunResult, ServiceInfo, ServiceRunnerOptions, StopResult } from './types.js';

/** Events of a ServiceRunner. */
export interface ServiceRunnerEvents {
  /** Every live record of every service: our messages, installer lines, service output. */
  log: [serviceId: string, record: ServiceLogRecord];
  /** A service that had started successfully ended without being stopped. */
  died: [report: DiedReport];
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
  readonly #history: History;
  /** One controller per run waiting for readiness; close() aborts each, so no shared signal collects listeners. */
  readonly #waiting = new Set<AbortController>();
  #closed: Promise<void> | null = null;

  constructor(options: ServiceRunnerOptions) {
    super();
    this.#o = normalizeRunnerOptions(options);
    const o = this.#o;
    this.#history = new History(o.historySize);
    const cache = o.cache ? new EnvCache({ dir: o.cacheDir, maxEntries: o.cacheMaxEntries, maxAgeMs: o.cacheMaxAgeMs }) : null;
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
      if (this.#closed !== null) return Promise.reject(new Error('[@pactown/sandbox] the runner is closed; create a new ServiceRunner'));
      return this.#queue.run(run.serviceId, () => this.#run(run));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async #run(run: ReturnType<typeof normalizeRunOptions>): Promise<RunResult> {
    const log = new RunLog({
      serviceId: run.serviceId,
      logger: this.#o.logger,
      fastStartLogger: this.#o.fastStartLogger,
      threshold: this.#o.logsLevel,
      onLog: run.onLog,
      listener: (record) => this.#record(record),
    });
    const closing = new AbortController();
    if (this.#closed !== null) closing.abort();
    this.#waiting.add(closing);
    try {
      const { spec, problems } = loadService(run.content);
      log.emit('info', `Found ${spec.files.length} files, ${spec.deps.length} dependencies`);
      const previous = this.#instances.get(run.serviceId);
      // Invalid new content leaves the running instance alone.
      if (previous !== undefined && problems.length === 0) {
        log.emit('info', `Service ${sandboxName(run.serviceId)} is already running (PID ${previous.process.pid}): stopping it before the restart`);
        await this.#stopInstance(previous, log, false);
      }
      const outcome = await startAndWait({ run, spec, problems, log, runner: this.#o, deps: this.#deps, signal: closing.signal });
      if (outcome.instance !== null) this.#watch(outcome.instance);
      return { ...outcome.result, logs: [...log.logs] };
    } finally {
      this.#waiting.delete(closing);
      log.detach();
    }
  }

  /** Keeps a started service under watch: a death we did not cause becomes a 'died' event. */
  #watch(instance: Instance): void {
    this.#instances.set(instance.info.serviceId, instance);
    void instance.process.ended.then((report) => {
      if (this.#instances.get(instance.info.serviceId) !== instance) return;
      this.#instances.delete(instance.info.serviceId);
      instance.lease?.release();
      if (instance.stopping) return;
      instance.log.emit('error', `❌ Service ${sandboxName(instance.info.serviceId)} died after it had started: ${report.message}`);
      try {
        this.emit('died', report);
      } catch (error) {
        this.#o.logger.error({ err: error, service: instance.info.serviceId }, "[@pactown/sandbox] a 'died' listener threw");
      }
    });
  }

  #record(record: ServiceLogRecord): void {
    this.#history.push(record);
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
        return { success: false, serviceId, message: `Service ${sandboxName(serviceId)} is not running`, report: null };
      }
      const report = await this.#stopInstance(instance, instance.log, this.#o.removeSandboxOnStop);
      return { success: true, serviceId, message: `Service ${sandboxName(serviceId)} stopped`, report };
    });
  }

  async #stopInstance(instance: Instance, log: RunLog, removeSandbox: boolean): Promise<DiedReport> {
    instance.stopping = true;
    log.emit('info', `Stopping service on port ${instance.info.port}`);
    const report = await instance.process.stop({ graceMs: this.#o.killGraceMs });
    if (this.#instances.get(instance.info.serviceId) === instance) this.#instances.delete(instance.info.serviceId);
    instance.lease?.release();
    log.emit('info', 'Process terminated');
    if (removeSandbox) {
      await rm(instance.info.sandboxPath, { recursive: true, force: true });
      log.emit('info', 'Sandbox cleaned up');
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

  /** The last records of a service (live lines and messages), oldest first; kept after it stops. */
  history(serviceId: string): ServiceLogRecord[] {
    return this.#history.get(serviceId);
  }

  /** Ends runs waiting for readiness, stops every service and refuses new runs. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (const closing of this.#waiting) closing.abort();
      await this.#queue.idle();
      await Promise.all([...this.#instances.values()].map((i) => this.#stopInstance(i, i.log, this.#o.removeSandboxOnStop).catch(() => undefined)));
    })();
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
