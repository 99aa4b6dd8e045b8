// The app's building blocks, for teams that embed the runner instead of copying it.
export { createRunnerApp, ensureWritable } from './app/app.js';
export type { RunnerApp, RunnerAppOptions } from './app/app.js';
export { loadConfig } from './config/config.js';
export type { RunnerConfig } from './config/config.js';
export type { RunnerContext } from './app/context.js';
export { authenticate, canAccess, parseApiTokens } from './http/auth.js';
export type { AuthResult, Caller } from './http/auth.js';
export { SERVICE_ID_PATTERN, isValidServiceId } from './config/service-id.js';
export {
  errorLogQuerySchema,
  idParamsSchema,
  logsQuerySchema,
  runBodySchema,
  stopBodySchema,
  toRunRequest,
} from './http/schemas.js';
export type { RunBody, RunRequest } from './http/schemas.js';
export { createMetrics } from './metrics/runner-metrics.js';
export { setupLogging } from './logging/setup.js';
export type { Logging, LoggingOptions } from './logging/setup.js';
export { isPortFree, pickFreePort } from './services/ports.js';
export { DASHBOARD_FILE, SEED_QUERIES, dashboardQueries, substituteVariables } from './demo/queries.js';
export { HEALTHY_SAMPLE, MISSING_MODULE_SAMPLE } from './demo/samples.js';
export { AnomalyLog, readAnomalies } from './security/anomaly-log.js';
export type { Anomaly, AnomalySeverity, AnomalyType } from './security/anomaly-log.js';
export { SecurityPolicy, formatAnomalyLine } from './security/policy.js';
export type { Decision, SecurityPolicyOptions } from './security/policy.js';
export { TokenBucketLimiter } from './security/token-bucket.js';
export { installSignalHandlers } from './app/signals.js';
