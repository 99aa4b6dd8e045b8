import type { IsolationOptions } from '../process/isolation/prepare.js';
import type { RestartMode, RestartOptions } from '../process/isolation/restart-policy.js';
import type { DiedReport, FailureCategory, SandboxLogger, ServiceLogRecord, Suggestion } from '../process/types.js';
import type { ServiceObjectInput } from '../spec/types.js';

/** Receives every message of a run live: the record, its text in `message`. */
export type OnLogCallback = (record: ServiceLogRecord) => void;

/** Options of `new ServiceRunner(...)`. */
export interface ServiceRunnerOptions extends IsolationOptions {
  /** Root folder of the sandboxes; each service gets `{sandboxesDir}/service_{id}`. */
  sandboxesDir: string;
  /** Where run messages go (a `service` binding is added). @default log-core's `getLogger('pactown.sandbox')` */
  logger?: SandboxLogger;
  /** Where dependency-cache messages go. @default log-core's `getLogger('pactown.fast_start')` */
  fastStartLogger?: SandboxLogger;
  /** Share dependency environments between sandboxes. @default true */
  cache?: boolean;
  /** The cache folder. @default `{sandboxesDir}/.cache` */
  cacheDir?: string;
  /** Most cached environments per kind (LRU beyond). @default 20 */
  cacheMaxEntries?: number;
  /** Cached environments unused this long are removed. @default 86400000 (24 h) */
  cacheMaxAgeMs?: number;
  /** Interpreter that creates virtual environments. @default 'python3' */
  python?: string;
  /** Extra `pip install` arguments, e.g. `['--no-index']`. @default [] */
  pipArgs?: readonly string[];
  /** The npm executable. @default 'npm' */
  npm?: string;
  /** Extra `npm install` arguments. @default [] */
  npmArgs?: readonly string[];
  /** Environment of installer processes. @default allow-listed parent variables (PATH, HOME, proxies, npm_config_*, PIP_*) */
  installerEnv?: NodeJS.ProcessEnv;
  /**
   * Parent variables a service sees (names or `PREFIX*`). `PATH` is always
   * passed whatever the list: the host's `PATH`, after the environment's `bin` folders.
   * @default the process layer's allow-list
   */
  envAllowList?: readonly string[];
  /** Readiness timeout of a run. @default 10000 */
  timeoutMs?: number;
  /** First health path polled (then `/`). @default '/health' */
  healthPath?: string;
  /** Lowest level whose messages go into `RunResult.logs`. @default $PACTOWN_UI_LOG_LEVEL or 'INFO' */
  logsLevel?: 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | number;
  /** Most entries of `RunResult.logs`: the first half and the last half, with `… N lines omitted …` between. @default 1000 */
  logsMaxLines?: number;
  /** Most bytes (UTF-8) of `RunResult.logs`, split the same way. @default 1048576 */
  logsMaxBytes?: number;
  /** Most lines of `RunResult.stderrOutput` (its end is kept). @default 500 */
  stderrOutputMaxLines?: number;
  /** Most bytes of `RunResult.stderrOutput` (its end is kept, cut at a line start when one is near). @default 65536 */
  stderrOutputMaxBytes?: number;
  /** Time between SIGTERM and SIGKILL when stopping. @default 5000 */
  killGraceMs?: number;
  /** Bytes of each output stream kept for reports. @default 65536 */
  tailBytes?: number;
  /** Remove a service's sandbox when it is stopped. @default true */
  removeSandboxOnStop?: boolean;
  /** The restart policy of every run that does not give its own. @default 'no' */
  restart?: RestartMode | RestartOptions;
}

/** Options of one `runFromContent` call. */
export interface RunOptions {
  serviceId: string;
  /** A markpact Markdown document, or `{files, deps, run}`. */
  content: string | ServiceObjectInput;
  /** The port the service must listen on; it gets it as `MARKPACT_PORT` and `PORT`. */
  port: number;
  onLog?: OnLogCallback;
  /** Variables for the service, on top of the allow-listed parent ones. */
  env?: Readonly<Record<string, string>>;
  /** @default the runner's `healthPath` */
  healthPath?: string;
  /** @default the runner's `timeoutMs` */
  timeoutMs?: number;
  /**
   * What happens when the service dies after it became ready: `'no'`, `'on-failure'` (a non-zero exit or a
   * signal we did not send), `'always'`, or the policy with its backoff and start limit.
   * @default the runner's `restart` ('no')
   */
  restart?: RestartMode | RestartOptions;
}

/** What a run ended with; `success` only when the service answered its health check. */
export interface RunResult {
  success: boolean;
  serviceId: string;
  port: number;
  /** The service's own PID; `null` when no process was started. */
  pid: number | null;
  /** One sentence: `Project running on http://localhost:8001` or why it failed. */
  message: string;
  /** Messages at or above `logsLevel`, with the text onLog saw; bounded by `logsMaxLines`/`logsMaxBytes` (first and last lines kept). */
  logs: string[];
  /** `none` only on success. */
  errorCategory: FailureCategory;
  /** The END of stderr (installer or service), `''` when there was none; at most `stderrOutputMaxLines` lines and `stderrOutputMaxBytes` bytes. */
  stderrOutput: string;
  suggestions: Suggestion[];
  /** Present when a process was started and ended during the run. */
  diedReport?: DiedReport;
  /** The sandbox folder, `null` when none was created. */
  sandboxPath: string | null;
}

/** A running service as `list()` and `get()` show it. */
export interface ServiceInfo {
  serviceId: string;
  pid: number | null;
  port: number;
  sandboxPath: string;
  command: string;
  /** The venv or node_modules folder, if any. */
  envDir: string | null;
  /** ISO 8601, of the process running now (or the last one, while a restart waits). */
  startedAt: string;
  /** Its restart policy. */
  restart: RestartMode;
  /** Restarts so far (each one after a death). */
  restarts: number;
  /** `'restarting'` while a restart waits out its backoff or a restarted process is starting. */
  state: 'running' | 'restarting';
}

/** The `'restarting'` event: a service died and is started again after `delayMs`. */
export interface RestartingInfo {
  serviceId: string;
  /** Restarts within the start-limit window, this one included. */
  attempt: number;
  /** The start limit (`startLimitBurst`). */
  limit: number;
  delayMs: number;
  /** `Restarting service_api in 2s (attempt 2/5)` */
  message: string;
  /** The death that caused it. */
  report: DiedReport;
}

/** The `'gave-up'` event: the service died once more after its start limit was reached; it stays down. */
export interface GaveUpInfo {
  serviceId: string;
  failures: number;
  windowMs: number;
  /** `Service service_api failed 5 times in 60s: giving up` */
  message: string;
  report: DiedReport;
}

/** What `stop(id)` did. */
export interface StopResult {
  /** False when nothing with that id was running. */
  success: boolean;
  serviceId: string;
  message: string;
  /** The stopped process's report (category `none`), or `null`; while a restart waited, the last death's. */
  report: DiedReport | null;
  /** Processes of the service that did not end at SIGTERM within the grace period and were killed. */
  killed: number;
}
