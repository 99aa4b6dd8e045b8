import type { Handler } from './types.js';

/** Handlers created and not yet closed: what `flush()` and `shutdown()` wait for. */
export const liveHandlers = new Set<Handler & { flushSync?(): void }>();
