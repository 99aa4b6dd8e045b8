import { CODES, codedTypeError } from './codes.js';
import type { LokiOptions } from './types.js';

/**
 * Fills in `formatter` for `format: 'pattern'` by loading log-core's
 * `patternFormatter` (an optional peer, so it is loaded only when asked for).
 */
export async function withPatternFormatter(options: LokiOptions): Promise<LokiOptions> {
  if (options?.format !== 'pattern' || options.formatter !== undefined) return options;
  let core: { patternFormatter: (pattern?: string) => (record: any) => string };
  try {
    core = (await import('@pactown/log-core')) as unknown as typeof core;
  } catch (err) {
    throw codedTypeError(
      CODES.PATTERN_NEEDS_CORE,
      `[@pactown/loki-transport] option 'format' is 'pattern', which needs @pactown/log-core installed (${(err as Error).message})`,
    );
  }
  return { ...options, formatter: core.patternFormatter(options.pattern) };
}
