import { delimiter } from 'node:path';
import type { CacheLease } from '../deps/cache.js';
import { type DependencySettings, type EnvironmentSetup, prepareEnvironment } from '../deps/setup.js';
import { listFiles } from '../process/died-report.js';
import type { ServiceRecords } from '../process/service-records.js';
import { type ServiceProcess, startServiceWith } from '../process/service-process.js';
import type { NormalizedRestart } from '../process/isolation/restart-policy.js';
import type { Supervisor } from '../process/isolation/supervisor.js';
import type { DiedReport } from '../process/types.js';
import type { ReadyResult } from '../process/wait-ready.js';
import type { ServiceSpec } from '../spec/types.js';
import { createSandbox } from '../workspace/sandbox.js';
import { sandboxName } from '../workspace/service-id.js';
import { type SetupFailure, setupFailure, validationFailure } from './failures.js';
import type { NormalizedRunnerOptions, normalizeRunOptions } from './options.js';
import type { RunLog } from './run-log.js';
import type { RunResult, ServiceInfo } from './types.js';

/** A started, healthy service the runner keeps watching. */
export interface Instance {
  info: ServiceInfo;
  process: ServiceProcess;
  lease: CacheLease | null;
  /** The service's records, for the rest of its life. */
  records: ServiceRecords;
  /** Set when we stop it: its end is then not a death. */
  stopping: boolean;
  restart: NormalizedRestart;
  /** Starts the service's process again in the same sandbox, with the same environment. */
  launch: () => ServiceProcess;
  /** The run's readiness check, for a restarted process. */
  waitReady: (proc: ServiceProcess, signal: AbortSignal) => Promise<ReadyResult>;
  /** Keeps it running by its restart policy; set once it is watched. */
  supervisor: Supervisor | null;
}

interface StartInput {
  run: ReturnType<typeof normalizeRunOptions>;
  spec: ServiceSpec;
  problems: string[];
  records: ServiceRecords;
  log: RunLog;
  runner: NormalizedRunnerOptions;
  deps: DependencySettings;
  signal: AbortSignal;
}

type Outcome = { result: Omit<RunResult, 'logs'>; instance: Instance | null };

const STDERR_LINES = 40;

/** The steps of one run after its content is read: sandbox, dependencies, process, readiness. */
export async function startAndWait(input: StartInput): Promise<Outcome> {
  const { run, spec, records, log, runner } = input;
  const base = { serviceId: run.serviceId, port: run.port, pid: null, sandboxPath: null };
  const fail = (failure: SetupFailure, sandboxPath: string | null): Outcome => {
    records.system('error', `❌ ${failure.message}`);
    if (failure.stderrOutput !== '') recapStderr(records, log, failure.stderrOutput);
    return {
      result: {
        ...base,
        sandboxPath,
        success: false,
        message: failure.message,
        errorCategory: failure.category,
        stderrOutput: endOf(failure.stderrOutput, runner),
        suggestions: failure.suggestions,
      },
      instance: null,
    };
  };
  if (input.problems.length > 0) {
    for (const problem of input.problems) records.system('error', `❌ ${problem}`);
    const failure = validationFailure(input.problems);
    return {
      result: {
        ...base,
        success: false,
        message: failure.message,
        errorCategory: 'validation',
        stderrOutput: '',
        suggestions: failure.suggestions,
      },
      instance: null,
    };
  }
  const name = sandboxName(run.serviceId);
  records.system('info', `Creating sandbox for ${name}`);
  records.system('info', `Starting service: ${name}`);
  records.system(
    'debug',
    `Port: ${run.port}, runtime: ${spec.runtime}${spec.runGuessed ? `, run command guessed: ${spec.run}` : ''}`,
  );
  let sandboxPath: string | null = null;
  let lease: CacheLease | null = null;
  let env: EnvironmentSetup;
  try {
    sandboxPath = await createSandbox(runner.sandboxesDir, run.serviceId, spec.files);
    const setup = await prepareEnvironment(sandboxPath, spec, input.deps, (level, message, detail) =>
      records.system(level, message, detail),
    );
    lease = setup.lease;
    env = setup;
    records.system('debug', `Sandbox files: [${(await listFiles(sandboxPath)).map((f) => `'${f}'`).join(', ')}]`);
    records.system('info', `Sandbox created at: ${sandboxPath}`);
  } catch (error) {
    lease?.release();
    return fail(setupFailure(error), sandboxPath);
  }
  records.system('info', 'Starting process...');
  const pathParts = [...env.binDirs, process.env.PATH ?? ''].filter(Boolean);
  const launch = (): ServiceProcess =>
    startServiceWith(
      {
        serviceId: run.serviceId,
        command: spec.run!,
        cwd: sandboxPath!,
        env: {
          ...run.env,
          ...env.env,
          PATH: pathParts.join(delimiter),
          MARKPACT_PORT: String(run.port),
          PORT: String(run.port),
        },
        envAllowList: runner.envAllowList,
        logger: runner.logger,
        envDir: env.envDir,
        port: run.port,
        killGraceMs: runner.killGraceMs,
        tailBytes: runner.tailBytes,
        ...runner.isolation,
        sandboxRoot: runner.sandboxesDir,
      },
      records,
    );
  let proc: ServiceProcess;
  try {
    proc = launch();
  } catch (error) {
    lease?.release();
    return fail(setupFailure(error), sandboxPath);
  }
  const ready = await proc.waitReady({
    http: { port: run.port, path: run.healthPath },
    timeoutMs: run.timeoutMs,
    signal: input.signal,
  });
  const started = { ...base, sandboxPath, pid: proc.pid };
  if (ready.ready) {
    const url = `http://localhost:${run.port}`;
    records.system('info', `✓ Project running on ${url}`);
    const info: ServiceInfo = {
      serviceId: run.serviceId,
      pid: proc.pid,
      port: run.port,
      sandboxPath,
      command: proc.command,
      envDir: env.envDir,
      startedAt: new Date(proc.startedAt).toISOString(),
      restart: run.restart.restart,
      restarts: 0,
      state: 'running',
    };
    const instance: Instance = {
      info,
      process: proc,
      lease,
      records,
      stopping: false,
      restart: run.restart,
      launch,
      waitReady: (p, signal) =>
        p.waitReady({ http: { port: run.port, path: run.healthPath }, timeoutMs: run.timeoutMs, signal }),
      supervisor: null,
    };
    const result = {
      ...started,
      success: true,
      message: `Project running on ${url}`,
      errorCategory: 'none' as const,
      stderrOutput: endOf(proc.tails().stderr.text, runner),
      suggestions: [],
    };
    return { result, instance };
  }
  let report: DiedReport | null = ready.report;
  if (ready.reason === 'aborted') {
    records.system('warn', 'The runner is closing: stopping the service before it became ready');
    report = await proc.stop();
  }
  lease?.release();
  report ??= await proc.ended;
  const stderr = report.stderrTail;
  if (stderr.trim() !== '') recapStderr(records, log, stderr);
  if (ready.reason === 'died') records.system('error', '❌ Server failed to start - check dependencies and code');
  const category = ready.reason === 'aborted' ? 'killed' : report.category === 'none' ? 'unknown' : report.category;
  const message = ready.reason === 'aborted' ? 'The runner closed before the service became ready' : report.message;
  return {
    result: {
      ...started,
      success: false,
      message,
      errorCategory: category,
      stderrOutput: endOf(stderr, runner),
      suggestions: report.suggestions,
      diedReport: report,
    },
    instance: null,
  };
}

/**
 * `STDERR:` then the last lines of the error output, as the original shows
 * them, for the run's caller only (`logs`, `onLog`): every line already
 * reached the loggers and the 'log' event live, so it is not logged again.
 */
function recapStderr(records: ServiceRecords, log: RunLog, stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  log.recap(records.record('error', 'STDERR:'));
  log.recap(records.record('error', lines.slice(-STDERR_LINES).join('\n')));
}

/** The end of a text within `stderrOutputMaxLines` lines and `stderrOutputMaxBytes` bytes, so the last exception line is always there. */
export function endOf(text: string, limits: { stderrOutputMaxLines: number; stderrOutputMaxBytes: number }): string {
  let start = text.length;
  let lines = 0;
  const body = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let i = body - 1; i >= 0; i--) {
    if (text.charCodeAt(i) === 10 && ++lines >= limits.stderrOutputMaxLines) {
      start = i + 1;
      break;
    }
    start = i;
  }
  let end = text.slice(start);
  if (Buffer.byteLength(end) > limits.stderrOutputMaxBytes) {
    const bytes = Buffer.from(end);
    end = bytes
      .subarray(bytes.length - limits.stderrOutputMaxBytes)
      .toString('utf8')
      .replace(/^\uFFFD+/, '');
    // Start at a line when one begins in the first quarter of what is kept.
    const nl = end.indexOf('\n');
    if (nl !== -1 && nl < end.length / 4) end = end.slice(nl + 1);
  }
  return end;
}
