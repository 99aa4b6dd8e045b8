import { getLogger } from '@pactown/log-core';
import type { SandboxLogger } from '../process/types.js';

/** log-core's named logger; looked up when a runner is made, never at import time. */
export function defaultLogger(name: 'pactown.sandbox' | 'pactown.fast_start'): SandboxLogger {
  return getLogger(name);
}
