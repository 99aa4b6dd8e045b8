// The process layer (also alone at `@pactown/sandbox/process`).
export {
  CODES,
  classifyFailure,
  DEFAULT_ENV_ALLOW_LIST,
  describeExit,
  isValidServiceId,
  LINE_CONTINUES_MARKER,
  LOGGER_NAME,
  SERVICE_ID_PATTERN,
  startService,
  stopTrackedGroups,
  createServiceDir,
  DEFAULT_LIMITS,
  cgroupSupport,
  IsolationError,
  normalizeRestart,
  probeBwrap,
  resolveIsolation,
  Supervisor,
  UidPool,
} from './process/index.js';
export type {
  Classification,
  DescribeExitOptions,
  DiedReport,
  ExitDescription,
  FailureCategory,
  FailureFacts,
  LevelKey,
  OnLog,
  OutputStream,
  ReadyOptions,
  ReadyResult,
  SandboxErrorCode,
  SandboxLogger,
  ServiceLogRecord,
  ServiceProcess,
  StartOptions,
  StopOptions,
  StopSummary,
  CgroupSupport,
  Suggestion,
  TailSnapshot,
  BwrapProbe,
  IsolationMode,
  IsolationOptions,
  NetworkMode,
  ResourceLimits,
  RestartMode,
  RestartOptions,
  Supervised,
  SupervisorEvents,
  SupervisorOptions,
  UidLease,
  UidRange,
} from './process/index.js';
// Service runner: Markdown services, sandboxes, dependencies with a cache.
export { ServiceRunner } from './runner/service-runner.js';
export type { ServiceRunnerEvents } from './runner/service-runner.js';
export type {
  GaveUpInfo,
  RestartingInfo,
  OnLogCallback,
  RunOptions,
  RunResult,
  ServiceInfo,
  ServiceRunnerOptions,
  StopResult,
} from './runner/types.js';
export { INSTALLER_ENV_ALLOW_LIST } from './runner/options.js';
export { loadService } from './spec/validate.js';
export { parseMarkpact } from './spec/markpact.js';
export type { ParsedService } from './spec/markpact.js';
export { parseServiceObject } from './spec/object-input.js';
export { guessRunCommand } from './spec/guess.js';
export type { ServiceFile, ServiceObjectInput, ServiceRuntime, ServiceSpec } from './spec/types.js';
export { assertServiceId, sandboxName } from './workspace/service-id.js';
export { safeWriteFile } from './workspace/safe-write.js';
export { createSandbox } from './workspace/sandbox.js';
export { SandboxPathError } from './workspace/errors.js';
export { EnvCache } from './deps/cache.js';
export type { CacheLease, EnvCacheOptions, EnvKind } from './deps/cache.js';
export { cacheKey } from './deps/cache-key.js';
export { DependencyError } from './deps/errors.js';
export { prepareEnvironment } from './deps/setup.js';
export type { DependencySettings, EnvironmentSetup } from './deps/setup.js';
export type { MessageSink, PreparedEnvironment } from './deps/types.js';
