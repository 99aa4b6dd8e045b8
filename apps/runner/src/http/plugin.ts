import type { FastifyPluginAsync } from 'fastify';
import type { RunnerContext } from '../app/context.js';

/** What every route plugin is registered with. */
export interface RoutesOptions {
  ctx: RunnerContext;
}

export type RoutesPlugin = FastifyPluginAsync<RoutesOptions>;
