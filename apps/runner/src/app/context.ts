import type { ServiceRunner } from '@pactown/sandbox';
import type { Registry } from 'prom-client';
import type { RunnerConfig } from '../config/config.js';
import type { SseConnection } from '../http/sse-connection.js';
import type { DropCounter } from './drops.js';
import type { Logging } from '../logging/setup.js';
import type { AnomalyLog } from '../security/anomaly-log.js';
import type { AuthFailureLog } from '../security/auth-failures.js';
import type { SecurityPolicy } from '../security/policy.js';
import type { LiveHub } from '../services/live-hub.js';
import type { ServiceRegistry } from '../services/registry.js';

export interface RunCounters {
  success: number;
  failure: number;
  denied: number;
  died: number;
  /** Restarts the runner made after a death (restart policy `on-failure` or `always`). */
  restarted: number;
  /** Services the runner gave up on (start limit reached). */
  gaveUp: number;
}

/** Everything the routes share: one per app instance, no module-level state. */
export interface RunnerContext {
  config: RunnerConfig;
  logging: Logging;
  runner: ServiceRunner;
  registry: ServiceRegistry;
  hub: LiveHub;
  policy: SecurityPolicy;
  anomalies: AnomalyLog;
  /** False once shutdown began: new runs get 503. */
  accepting: boolean;
  runs: RunCounters;
  sseClients: number;
  /** Open log streams: per user (or client address in open mode) and each connection's queue. */
  sse: { byUser: Map<string, number>; connections: Set<SseConnection> };
  /** The `/metrics` registry (prom-client), read from this context at every scrape. */
  metrics: Registry;
  /** Lines the app left out, by reason (reported once each, on /metrics and /health). */
  drops: DropCounter;
  /** Failed-auth anomalies, rate-limited and summarised. */
  authFailures: AuthFailureLog;
  /** Background work (error files) that shutdown must wait for. */
  track<T>(work: Promise<T>): Promise<T>;
  settle(): Promise<void>;
}
