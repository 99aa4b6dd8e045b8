// Process capture: start, live lines, exit reasons, readiness, stop.
export { startService, ServiceProcess } from './process/service-process.js';
export type { StopOptions } from './process/service-process.js';
export type { StartOptions } from './process/options.js';
export type { ReadyOptions, ReadyResult } from './process/wait-ready.js';
export { describeExit, signalInfo } from './process/exit.js';
export type { DescribeExitOptions } from './process/exit.js';
export { classifyFailure } from './process/classify.js';
export type { Classification, FailureFacts } from './process/classify.js';
export { buildDiedReport, findEnvDir, listFiles } from './process/died-report.js';
export type { ReportInput } from './process/died-report.js';
export { buildEnv, DEFAULT_ENV_ALLOW_LIST } from './process/env.js';
export type { BuildEnvOptions } from './process/env.js';
export { planCommand, needsShell, splitWords } from './process/command.js';
export type { CommandPlan } from './process/command.js';
export { redactCommand } from './process/options.js';
export { LineSplitter, LINE_CONTINUES_MARKER } from './process/line-splitter.js';
export type { LineSink, LineSplitterOptions } from './process/line-splitter.js';
export { TailBuffer, droppedMarker } from './process/tail-buffer.js';
export type { TailSnapshot } from './process/tail-buffer.js';
export { probeHttp, probePort, waitForHttp, waitForPort, poll } from './process/readiness.js';
export type { HttpProbeOptions, HttpReady, PollOptions, PollOutcome } from './process/readiness.js';
export { stopTrackedGroups } from './process/cleanup.js';
export { LOGGER_NAME, ServiceLog, silentLogger } from './process/logger.js';
export type { LevelKey, OnLog } from './process/logger.js';
export type {
  DiedReport,
  ExitDescription,
  FailureCategory,
  OutputStream,
  SandboxLogger,
  ServiceLogRecord,
  Suggestion,
} from './process/types.js';
