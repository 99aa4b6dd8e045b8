import * as logCore from '@pactown/log-core';
import { silentLogger } from '../process/logger.js';
import type { SandboxLogger } from '../process/types.js';

type GetLogger = (name: string) => SandboxLogger;

/**
 * log-core's named logger when this version of log-core has one, else a
 * silent logger. Looked up when a runner is made, never at import time.
 */
export function defaultLogger(name: string): SandboxLogger {
  const getLogger = (logCore as unknown as { getLogger?: GetLogger }).getLogger;
  return typeof getLogger === 'function' ? getLogger(name) : silentLogger;
}
