import { delimiter } from 'node:path';
import type { CacheLease } from '../deps/cache.js';
import { type DependencySettings, type EnvironmentSetup, prepareEnvironment } from '../deps/setup.js';
import { listFiles } from '../process/died-report.js';
import { type ServiceProcess, startService } from '../process/service-process.js';
import type { DiedReport } from '../process/types.js';
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
  log: RunLog;
  /** Set when we stop it: its end is then not a death. */
  stopping: boolean;
}

interface StartInput {
  run: ReturnType<typeof normalizeRunOptions>;
  spec: ServiceSpec;
  problems: string[];
  log: RunLog;
  runner: NormalizedRunnerOptions;
  deps: DependencySettings;
  signal: AbortSignal;
}

type Outcome = { result: Omit<RunResult, 'logs'>; instance: Instance | null };

const STDERR_LINES = 40;

/** The steps of one run after its content is read: sandbox, dependencies, process, readiness. */
export async function startAndWait(input: StartInput): Promise<Outcome> {
  const { run, spec, log, runner } = input;
  const base = { serviceId: run.serviceId, port: run.port, pid: null, sandboxPath: null };
  const fail = (failure: SetupFailure, sandboxPath: string | null): Outcome => {
    log.emit('error', `❌ ${failure.message}`);
    if (failure.stderrOutput !== '') emitStderr(log, failure.stderrOutput);
    return { result: { ...base, sandboxPath, success: false, message: failure.message, errorCategory: failure.category, stderrOutput: failure.stderrOutput, suggestions: failure.suggestions }, instance: null };
  };
  if (input.problems.length > 0) {
    for (const problem of input.problems) log.emit('error', `❌ ${problem}`);
    const failure = validationFailure(input.problems);
    return { result: { ...base, success: false, message: failure.message, errorCategory: 'validation', stderrOutput: '', suggestions: failure.suggestions }, instance: null };
  }
  const name = sandboxName(run.serviceId);
  log.emit('info', `Creating sandbox for ${name}`);
  log.emit('info', `Starting service: ${name}`);
  log.emit('debug', `Port: ${run.port}, runtime: ${spec.runtime}${spec.runGuessed ? `, run command guessed: ${spec.run}` : ''}`);
  let sandboxPath: string | null = null;
  let lease: CacheLease | null = null;
  let env: EnvironmentSetup;
  try {
    sandboxPath = await createSandbox(runner.sandboxesDir, run.serviceId, spec.files);
    const setup = await prepareEnvironment(sandboxPath, spec, input.deps, log.sink);
    lease = setup.lease;
    env = setup;
    log.emit('debug', `Sandbox files: [${(await listFiles(sandboxPath)).map((f) => `'${f}'`).join(', ')}]`);
    log.emit('info', `Sandbox created at: ${sandboxPath}`);
  } catch (error) {
    lease?.release();
    return fail(setupFailure(error), sandboxPath);
  }
  log.emit('info', 'Starting process...');
  const pathParts = [...env.binDirs, process.env.PATH ?? ''].filter(Boolean);
  let proc: ServiceProcess;
  try {
    proc = startService({
      serviceId: run.serviceId,
      command: spec.run!,
      cwd: sandboxPath,
      env: { ...run.env, ...env.env, PATH: pathParts.join(delimiter), MARKPACT_PORT: String(run.port), PORT: String(run.port) },
      envAllowList: runner.envAllowList,
      logger: runner.logger, // the process layer adds the service binding itself
      onLog: (record) => log.deliver(record),
      envDir: env.envDir,
      port: run.port,
      killGraceMs: runner.killGraceMs,
      tailBytes: runner.tailBytes,
    });
  } catch (error) {
    lease?.release();
    return fail(setupFailure(error), sandboxPath);
  }
  const ready = await proc.waitReady({ http: { port: run.port, path: run.healthPath }, timeoutMs: run.timeoutMs, signal: input.signal });
  const started = { ...base, sandboxPath, pid: proc.pid };
  if (ready.ready) {
    const url = `http://localhost:${run.port}`;
    log.emit('info', `✓ Project running on ${url}`);
    const info: ServiceInfo = { serviceId: run.serviceId, pid: proc.pid, port: run.port, sandboxPath, command: proc.command, envDir: env.envDir, startedAt: new Date(proc.startedAt).toISOString() };
    const instance: Instance = { info, process: proc, lease, log, stopping: false };
    const result = { ...started, success: true, message: `Project running on ${url}`, errorCategory: 'none' as const, stderrOutput: proc.tails().stderr.text, suggestions: [] };
    return { result, instance };
  }
  let report: DiedReport | null = ready.report;
  if (ready.reason === 'aborted') {
    log.emit('warn', 'The runner is closing: stopping the service before it became ready');
    report = await proc.stop();
  }
  lease?.release();
  report ??= await proc.ended;
  const stderr = report.stderrTail;
  if (stderr.trim() !== '') emitStderr(log, stderr);
  if (ready.reason === 'died') log.emit('error', '❌ Server failed to start - check dependencies and code');
  const category = ready.reason === 'aborted' ? 'killed' : report.category === 'none' ? 'unknown' : report.category;
  const message = ready.reason === 'aborted' ? 'The runner closed before the service became ready' : report.message;
  return { result: { ...started, success: false, message, errorCategory: category, stderrOutput: stderr, suggestions: report.suggestions, diedReport: report }, instance: null };
}

/** `STDERR:` then the last lines of the error output, as the original shows them. */
function emitStderr(log: RunLog, stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  log.emit('error', 'STDERR:');
  log.emit('error', lines.slice(-STDERR_LINES).join('\n'));
}
