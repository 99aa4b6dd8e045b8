import type { Handler, HandlerHealth } from '@pactown/log-core';
import { redactUrls } from './urls.js';

/** One handler as /health shows it: log-core's health (`ok`, `degraded` while writes fail, `closed`). */
export function handlerHealth(h: Handler): { name: string; state: string; errors: number; lastError?: string } {
  const health = (h as Handler & { health?: HandlerHealth }).health;
  return {
    name: redactUrls(h.name),
    state: health?.state ?? 'ok',
    errors: h.errors,
    ...(health?.lastError ? { lastError: redactUrls(health.lastError) } : {}),
  };
}
