// Process capture: start, live lines, exit reasons, readiness, stop.
export { startService, ServiceProcess } from './process/service-process.js';
export type { StopOptions } from './process/service-process.js';
export type { StartOptions } from './process/options.js';
export type { ReadyOptions, ReadyResult } from './process/wait-ready.js';
export { describeExit, signalInfo } from './process/exit.js';
export type { DescribeExitOptions } from './process/exit.js';
export { classifyFailure } from './process/classify.js';
export type { Classification, FailureFacts } from './process/classify.js';
export { buildDiedReport, findEnvDir, listFiles, listFilesSync } from './process/died-report.js';
export type { ReportInput } from './process/died-report.js';
export { buildEnv, DEFAULT_ENV_ALLOW_LIST } from './process/env.js';
export type { BuildEnvOptions } from './process/env.js';
export { planCommand, needsShell, splitWords } from './process/command.js';
export type { CommandPlan } from './process/command.js';
export { LineSplitter, LINE_CONTINUES_MARKER } from './process/line-splitter.js';
export type { LineSink, LineSplitterOptions } from './process/line-splitter.js';
export { TailBuffer, droppedMarker } from './process/tail-buffer.js';
export type { TailSnapshot } from './process/tail-buffer.js';
export { probeHttp, probePort, waitForHttp, waitForPort, poll } from './process/readiness.js';
export type { HttpProbeOptions, HttpReady, PollOptions, PollOutcome } from './process/readiness.js';
export { stopTrackedGroups } from './process/cleanup.js';
export { LOGGER_NAME } from './process/service-records.js';
export type { OnLog } from './process/service-records.js';
export type {
  DiedReport,
  ExitDescription,
  FailureCategory,
  LevelKey,
  OutputStream,
  SandboxLogger,
  ServiceLogRecord,
  Suggestion,
} from './process/types.js';
// Service runner: Markdown services, sandboxes, dependencies with a cache.
export { ServiceRunner } from './runner/service-runner.js';
export type { ServiceRunnerEvents } from './runner/service-runner.js';
export type { OnLogCallback, RunOptions, RunResult, ServiceInfo, ServiceRunnerOptions, StopResult } from './runner/types.js';
export { INSTALLER_ENV_ALLOW_LIST } from './runner/options.js';
export { loadService } from './spec/validate.js';
export { parseMarkpact } from './spec/markpact.js';
export type { ParsedService } from './spec/markpact.js';
export { parseServiceObject } from './spec/object-input.js';
export { guessRunCommand, inferRuntime } from './spec/guess.js';
export type { ServiceFile, ServiceObjectInput, ServiceRuntime, ServiceSpec } from './spec/types.js';
export { assertServiceId, isValidServiceId, sandboxName } from './workspace/service-id.js';
export { checkRelativePath, RESERVED_NAMES } from './workspace/paths.js';
export { safeWriteFile } from './workspace/safe-write.js';
export { createSandbox, removeSandbox, sandboxPath } from './workspace/sandbox.js';
export { SandboxPathError } from './workspace/errors.js';
export { EnvCache, FAST_START_LOGGER } from './deps/cache.js';
export type { CacheLease, EnvCacheOptions, EnvKind } from './deps/cache.js';
export { cacheKey, normaliseDeps } from './deps/cache-key.js';
export { DependencyError } from './deps/errors.js';
export { prepareEnvironment } from './deps/setup.js';
export type { DependencySettings, EnvironmentSetup } from './deps/setup.js';
export type { MessageSink, PreparedEnvironment } from './deps/types.js';
