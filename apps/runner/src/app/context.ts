import type { ServiceRunner } from '@pactown/sandbox';
import type { Registry } from 'prom-client';
import type { RunnerConfig } from '../config/config.js';
import type { Logging } from '../logging/setup.js';
import type { AnomalyLog } from '../security/anomaly-log.js';
import type { SecurityPolicy } from '../security/policy.js';
import type { LiveHub } from '../services/live-hub.js';
import type { ServiceRegistry } from '../services/registry.js';

export interface RunCounters {
  success: number;
  failure: number;
  denied: number;
  died: number;
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
  /** The `/metrics` registry (prom-client), read from this context at every scrape. */
  metrics: Registry;
  /** Background work (error files) that shutdown must wait for. */
  track<T>(work: Promise<T>): Promise<T>;
  settle(): Promise<void>;
}
