/**
 * A running service: started through execa in its own process group, both
 * streams drained for its whole life into live lines and bounded tails, and
 * a died report produced the moment it ends.
 */
import { captureStream } from './capture.js';
import { stoppingForExit, trackGroup } from './cleanup.js';
import { type CommandPlan, planCommand } from './command.js';
import { buildDiedReport, findEnvDir, listFilesSync } from './died-report.js';
import { buildEnv } from './env.js';
import { describeExit } from './exit.js';
import { groupAlive, groupMembers, signalGroup, sleep, waitGroupGone } from './group.js';
import type { IsolationMode } from './isolation/mode.js';
import { type PreparedStart, prepareStart } from './isolation/prepare.js';
import { stopSandbox } from './isolation/stop-sandbox.js';
import { oomKillCount } from './oom.js';
import {
  type NormalizedStartOptions,
  type StartOptions,
  createMasking,
  STOP_OPTIONS,
  normalizeStartOptions,
} from './options.js';
import { ServiceRecords } from './service-records.js';
import { spawnService } from './spawn.js';
import { stopSequence } from './stop.js';
import { TailBuffer, type TailSnapshot } from './tail-buffer.js';
import type { DiedReport, ServiceLogRecord } from './types.js';
import { type ReadyOptions, type ReadyResult, waitReady } from './wait-ready.js';

export interface StopOptions {
  /** Time between SIGTERM and SIGKILL. @default the service's `killGraceMs` (5000) */
  graceMs?: number;
}

/** What had to be ended besides the main process: by `stop()`, or after the main process exited on its own. */
export interface StopSummary {
  /** Processes that got SIGTERM (by `stop()`: the main process and what it started). */
  terminated: number;
  /** Processes that were still alive after the grace period and got SIGKILL. */
  killed: number;
  /** Processes the main process left behind when it exited on its own, ended then. */
  leftovers: number;
}

type Listener = (record: ServiceLogRecord) => void;

/** A started service. Create it with {@link startService}. */
export class ServiceProcess {
  readonly serviceId: string;
  /** The service's own PID (a shell `exec`s the final command); `null` when the spawn failed. */
  readonly pid: number | null;
  /** The command line as run, secrets redacted. */
  readonly command: string;
  readonly cwd: string;
  /** A shell runs the command and stays its parent (pipelines, background jobs). */
  readonly viaShell: boolean;
  /** How the service is contained: `'namespaces'` (under bwrap; `pid` is then bwrap's) or `'none'`. */
  readonly isolation: IsolationMode;
  readonly startedAt: number;
  /** Settles with the died report when the process ends, however it ends. */
  readonly ended: Promise<DiedReport>;

  readonly #o: NormalizedStartOptions;
  readonly #log: ServiceRecords;
  readonly #plan: CommandPlan;
  readonly #tails = { stdout: null as unknown as TailBuffer, stderr: null as unknown as TailBuffer };
  readonly #oomAtStart: number | null;
  #resolveEnded!: (report: DiedReport) => void;
  #exited = false;
  #report: DiedReport | null = null;
  #stoppedByUs = false;
  #timedOut: { timeoutMs: number; message: string } | null = null;
  #stopping: Promise<DiedReport> | null = null;
  #untrack: () => void = () => {};
  readonly #prepared: PreparedStart;
  #summary: StopSummary | null = null;
  #lateBytes = 0;
  #reported = false;
  #outputComplete = true;
  /** The run's masking of a text that did not come through the streams (file names, messages). */
  readonly #maskText: (text: string) => string;

  /** @internal Use {@link startService}. `records` is the runner's path for the service's records. */
  constructor(options: StartOptions, records?: ServiceRecords) {
    const o = normalizeStartOptions(options);
    this.#o = o;
    this.serviceId = o.serviceId;
    this.cwd = o.cwd;
    this.#plan = planCommand(o.command, o.args, o.shell);
    const masking = createMasking(o, options.redact !== undefined);
    this.command = masking.text(this.#plan.display);
    this.#maskText = masking.text;
    this.viaShell = this.#plan.shellStays;
    this.ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    this.#log = records ?? new ServiceRecords({ serviceId: o.serviceId, logger: o.logger, logOutput: o.logOutput });
    this.#log.useMaskers(masking.streams);
    if (o.onLog !== undefined) this.#log.subscribe(o.onLog, { shows: true });
    this.#tails.stdout = new TailBuffer(o.tailBytes);
    this.#tails.stderr = new TailBuffer(o.tailBytes);
    this.#oomAtStart = oomKillCount();
    const env = buildEnv({ allowList: o.envAllowList, env: o.env });
    this.#prepared = prepareStart({
      serviceId: o.serviceId,
      file: this.#plan.file,
      args: this.#plan.args,
      cwd: o.cwd,
      env,
      envDir: o.envDir,
      options: o.isolationOptions,
      logger: o.logger,
      sandboxRoot: o.sandboxRoot,
    });
    this.isolation = this.#prepared.mode;
    this.#log.debug(`Run command: ${this.command}`, { cwd: o.cwd, shell: this.#plan.shell, isolation: this.isolation });
    this.#log.debug(`Environment keys: ${Object.keys(env).sort().join(', ')}`);
    this.startedAt = Date.now();
    const launch = { ...this.#plan, file: this.#prepared.file, args: this.#prepared.args };
    const child = spawnService({ plan: launch, cwd: o.cwd, env: this.#prepared.env });
    this.pid = child.pid ?? null;
    const late = (chunk: Buffer | string): void => {
      if (this.#reported) this.#lateBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    };
    child.stdout?.on('data', late);
    child.stderr?.on('data', late);
    const streamsClosed = Promise.all([
      captureStream(child.stdout, 'stdout', this.#tails.stdout, this.#log, o.maxLineLength),
      captureStream(child.stderr, 'stderr', this.#tails.stderr, this.#log, o.maxLineLength),
    ]);
    child.once('exit', (code, signal) => void this.#onExit(code, signal, null, streamsClosed));
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (this.pid === null) void this.#onExit(null, null, error, streamsClosed);
    });
    if (this.pid !== null) {
      if (o.stopOnExit) {
        this.#untrack = trackGroup(
          this.pid,
          o.killGraceMs,
          this.ended,
          this.#prepared.wrapped ? () => this.stop() : undefined,
        );
      }
      this.#log.system('info', `Process started with PID: ${this.pid}`);
    }
  }

  /** `true` until the process has exited. */
  get running(): boolean {
    return !this.#exited;
  }

  /** What ending the service took besides its main process (`null` while nothing was needed). */
  get stopSummary(): StopSummary | null {
    return this.#summary === null ? null : { ...this.#summary };
  }

  /**
   * `false` when the output pipes were still open `closeWaitMs` after the
   * end (a process outside the service's group and cgroup held them): the
   * report was made without what came later. {@link lateOutputBytes} counts it.
   */
  get outputComplete(): boolean {
    return this.#outputComplete;
  }

  /** Bytes of output that arrived after the died report was made (still delivered to `onLog`). */
  get lateOutputBytes(): number {
    return this.#lateBytes;
  }

  /** The died report once the process has ended, else `null`. */
  get report(): DiedReport | null {
    return this.#report;
  }

  /** The current tails of both streams. */
  tails(): { stdout: TailSnapshot; stderr: TailSnapshot } {
    return { stdout: this.#tails.stdout.snapshot(), stderr: this.#tails.stderr.snapshot() };
  }

  /** Subscribes to every record (output lines and messages); returns the unsubscribe function. */
  onLog(listener: Listener): () => void {
    return this.#log.subscribe(listener);
  }

  /** Waits until the service is ready, dies, or the time is up (then it is stopped). */
  waitReady(options: ReadyOptions): Promise<ReadyResult> {
    return waitReady(
      {
        log: this.#log,
        ended: this.ended,
        running: () => this.running,
        onLine: (listener) => this.onLog(listener),
        recentLines: () => [...this.#tailLines(this.#tails.stdout), ...this.#tailLines(this.#tails.stderr)],
        timeout: (timeoutMs, message) => {
          this.#timedOut = { timeoutMs, message };
          return this.stop();
        },
      },
      options,
    );
  }

  /** The lines of a tail (masked already: a tail holds only masked text). */
  #tailLines(tail: TailBuffer): string[] {
    return tail
      .snapshot()
      .text.split('\n')
      .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  }

  /**
   * SIGTERM to the whole process group, SIGKILL after the grace period;
   * resolves with the died report once no process of the group is left.
   * Stopping a service that already ended does nothing more.
   */
  stop(options: StopOptions = {}): Promise<DiedReport> {
    const graceMs = (STOP_OPTIONS.parse(options, 'stop options') as StopOptions).graceMs ?? this.#o.killGraceMs;
    if (this.#stopping !== null) return this.#stopping;
    if (this.pid === null || (this.#exited && !groupAlive(this.pid))) {
      this.#untrack();
      return this.ended;
    }
    if (!this.#exited) this.#stoppedByUs = true;
    const pgid = this.pid;
    const sequence = this.#prepared.wrapped
      ? stopSandbox({ bwrapPid: pgid, graceMs, log: this.#log, leaderEnded: this.ended }).then((outcome) => ({
          terminated: outcome.terminated.length,
          killed: outcome.killed.length,
        }))
      : stopSequence({ pgid, graceMs, log: this.#log, leaderEnded: this.ended });
    this.#stopping = sequence.then(({ terminated, killed }) => {
      this.#summary = { terminated, killed, leftovers: this.#summary?.leftovers ?? 0 };
      this.#untrack();
      return this.ended;
    });
    return this.#stopping;
  }

  /** Ends the processes a main process left behind when it exited on its own; counted in the stop summary. */
  async #endLeftovers(pgid: number, cgroup: PreparedStart['cgroup']): Promise<void> {
    let leftovers = 0;
    const names: string[] = [];
    if (!this.#prepared.wrapped && groupAlive(pgid)) {
      const members = groupMembers(pgid) ?? [];
      leftovers += members.length;
      names.push(...members.map(String));
      signalGroup(pgid, 'SIGTERM');
      if (!(await waitGroupGone(pgid, this.#o.killGraceMs))) {
        signalGroup(pgid, 'SIGKILL');
        await waitGroupGone(pgid, 2_000);
      }
    }
    if (cgroup !== null) {
      const rest = cgroup.members();
      if (rest.length > 0) {
        leftovers += rest.filter((pid) => !names.includes(String(pid))).length;
        cgroup.killAll();
      }
    }
    if (leftovers === 0) return;
    this.#summary = { terminated: 0, killed: 0, leftovers };
    this.#log.system(
      'warn',
      `Ended ${leftovers} process${leftovers === 1 ? '' : 'es'} ${this.serviceId} left behind when its main process exited`,
    );
  }

  async #onExit(
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError: NodeJS.ErrnoException | null,
    streamsClosed: Promise<unknown>,
  ): Promise<void> {
    if (this.#exited) return;
    this.#exited = true;
    if (stoppingForExit()) this.#stoppedByUs = true;
    const endedAt = Date.now();
    const o = this.#o;
    const cgroup = this.#prepared.cgroup;
    // What the main process left behind ends with it: its group under 'none' (bwrap's PID namespace ends by
    // itself), and whatever is left in its cgroup in either mode.
    if (this.pid !== null && this.#stopping === null) await this.#endLeftovers(this.pid, cgroup);
    // Every line written before the end is in the report: wait for the end of both pipes, bounded.
    const waited = new AbortController();
    const closed = await Promise.race([
      streamsClosed.then(() => true),
      sleep(o.closeWaitMs, waited.signal).then(() => false),
    ]);
    waited.abort();
    if (!closed) {
      this.#outputComplete = false;
      this.#log.system(
        'warn',
        `Output of ${this.serviceId} still open ${o.closeWaitMs}ms after it ended (held by a process outside its group): the report leaves out what comes later`,
      );
    }
    let files: string[];
    try {
      files = typeof o.files === 'function' ? [...(await o.files())] : o.files ? [...o.files] : listFilesSync(o.cwd);
    } catch {
      files = []; // a failing file-list callback must not hold back the report
    }
    const oomNow = this.#oomAtStart === null ? null : oomKillCount();
    const counted = cgroup?.counters() ?? null;
    // bwrap reports the service's death by signal N as status 128+N, as a shell does.
    const exit = describeExit(code, signal, { viaShell: this.#plan.shellStays || this.#prepared.wrapped });
    // The names in the folder are the service's own choice: a secret value can be one.
    files = files.map(this.#maskText);
    const report = buildDiedReport({
      serviceId: this.serviceId,
      pid: this.pid,
      command: this.command,
      cwd: o.cwd,
      envDir: o.envDir === undefined ? findEnvDir(o.cwd) : o.envDir,
      exit,
      message: this.#maskText(
        this.#timedOut?.message ??
          (spawnError ? `Process could not start: ${spawnError.code ?? spawnError.message}` : exit.message),
      ),
      stdout: this.#tails.stdout.snapshot(),
      stderr: this.#tails.stderr.snapshot(),
      files,
      startedAt: this.startedAt,
      endedAt,
      facts: {
        stoppedByUs: this.#stoppedByUs,
        timedOut: this.#timedOut !== null,
        timeoutMs: this.#timedOut?.timeoutMs ?? null,
        spawnErrorCode: spawnError?.code ?? null,
        port: o.port,
        program: this.#plan.shell ? null : this.#plan.file,
        oomKilled: oomNow !== null && this.#oomAtStart !== null && oomNow > this.#oomAtStart,
        cgroupOomKilled: counted !== null && counted.oomKills > 0,
        pidsLimitHit: counted !== null && counted.pidsLimitHits > 0,
        limits: this.#prepared.limits,
      },
    });
    this.#report = report;
    this.#reported = true;
    if (cgroup !== null && !(await cgroup.remove()))
      this.#log.system('warn', `The cgroup of ${this.serviceId} could not be removed: ${cgroup.dirs.join(', ')}`);
    // Its namespace is gone with bwrap; a leftover process of that uid keeps the pool from reusing it.
    this.#prepared.lease?.release();
    if (this.pid === null || !groupAlive(this.pid)) this.#untrack();
    if (spawnError !== null)
      this.#log.system('error', `❌ ${report.message}`, { fields: { category: report.category } });
    // A clean exit is news, not an error: no ❌, INFO (the report's category still says whether a service should have kept running).
    else if (!this.#stoppedByUs && o.announceDeath && exit.exitCode === 0 && exit.signal === null)
      this.#log.system('info', exit.message, { fields: { category: report.category } });
    else if (!this.#stoppedByUs && o.announceDeath)
      this.#log.system('error', `❌ ${exit.message}`, { fields: { category: report.category } });
    else this.#log.debug(exit.message, { category: report.category });
    this.#resolveEnded(report);
  }
}

/** Starts a service process; see {@link StartOptions}. Invalid options throw a `TypeError`. */
export function startService(options: StartOptions): ServiceProcess {
  return new ServiceProcess(options);
}

/** @internal The runner's start: the service's records go through the run's own path. */
export function startServiceWith(options: StartOptions, records: ServiceRecords): ServiceProcess {
  return new ServiceProcess(options, records);
}
