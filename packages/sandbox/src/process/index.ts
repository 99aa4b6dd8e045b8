// `@pactown/sandbox/process`: the process layer alone (start, live lines, exit reasons, readiness, stop).
export { startService } from './service-process.js';
export type { ServiceProcess, StopOptions, StopSummary } from './service-process.js';
export type { StartOptions } from './options.js';
export type { ReadyOptions, ReadyResult } from './wait-ready.js';
export { describeExit } from './exit.js';
export type { DescribeExitOptions } from './exit.js';
export { classifyFailure } from './classify.js';
export type { Classification, FailureFacts } from './classify.js';
export { DEFAULT_ENV_ALLOW_LIST } from './env.js';
export { LINE_CONTINUES_MARKER } from './line-splitter.js';
export type { TailSnapshot } from './tail-buffer.js';
export { stopTrackedGroups } from './cleanup.js';
export { LOGGER_NAME } from './service-records.js';
export type { OnLog } from './service-records.js';
export type {
  DiedReport,
  ExitDescription,
  FailureCategory,
  LevelKey,
  OutputStream,
  SandboxLogger,
  ServiceLogRecord,
  Suggestion,
} from './types.js';
export { CODES } from '../errors.js';
export type { SandboxErrorCode } from '../errors.js';
export { SERVICE_ID_PATTERN, isValidServiceId } from '../workspace/service-id.js';
// Isolation: the bwrap sandbox, service uids, limits, service folders, restarts.
export { resolveIsolation } from './isolation/mode.js';
export type { IsolationMode } from './isolation/mode.js';
export { probeBwrap } from './isolation/probe.js';
export type { BwrapProbe } from './isolation/probe.js';
export type { IsolationOptions } from './isolation/prepare.js';
export type { NetworkMode } from './isolation/launch.js';
export { DEFAULT_LIMITS } from './isolation/limits.js';
export { cgroupSupport } from './isolation/cgroups.js';
export type { CgroupSupport } from './isolation/cgroups.js';
export type { ResourceLimits } from './isolation/limits.js';
export { UidPool } from './isolation/uid-pool.js';
export type { UidLease, UidRange } from './isolation/uid-pool.js';
export { createServiceDir } from './isolation/ownership.js';
export { IsolationError } from './isolation/errors.js';
export { Supervisor } from './isolation/supervisor.js';
export type { Supervised, SupervisorEvents, SupervisorOptions } from './isolation/supervisor.js';
export { normalizeRestart } from './isolation/restart-policy.js';
export type { RestartMode, RestartOptions } from './isolation/restart-policy.js';
