import { CODES, coreError } from './codes.js';
import { warnStderr } from './stderr.js';
import { parseLevel } from './levels.js';
import { getLogger } from './logger.js';

/** Levels named in the environment: `PACTOWN_LOG_LEVEL` (root) and `PACTOWN_LOG_LEVELS` (`name=LEVEL,...`). */
export interface EnvLevels {
  root?: number;
  loggers: Array<[name: string, level: number]>;
}

/** Reads the level variables; a malformed entry is reported on stderr and skipped, never fatal. */
export function readEnvLevels(env: Readonly<Record<string, string | undefined>> = process.env): EnvLevels {
  const out: EnvLevels = { loggers: [] };
  const single = env.PACTOWN_LOG_LEVEL?.trim();
  if (single) {
    try {
      out.root = parseLevel(single);
    } catch (error) {
      warnStderr(`ignoring PACTOWN_LOG_LEVEL: ${plain(error)}`);
    }
  }
  const many = env.PACTOWN_LOG_LEVELS?.trim();
  if (many) {
    for (const entry of many.split(/[,;\s]+/)) {
      if (entry === '') continue;
      const eq = entry.lastIndexOf('=');
      const name = eq === -1 ? '' : entry.slice(0, eq).trim();
      try {
        if (eq === -1) throw coreError(CODES.INVALID_OPTION, `expected name=LEVEL, got ${JSON.stringify(entry)}`);
        out.loggers.push([name, parseLevel(entry.slice(eq + 1))]);
      } catch (error) {
        warnStderr(`ignoring PACTOWN_LOG_LEVELS entry ${JSON.stringify(entry)}: ${plain(error)}`);
      }
    }
  }
  return out;
}

/** Applies `PACTOWN_LOG_LEVEL` / `PACTOWN_LOG_LEVELS` to the loggers. Nothing reads the environment until this (or `configure`) is called. */
export function configureFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): EnvLevels {
  const levels = readEnvLevels(env);
  if (levels.root !== undefined) getLogger().setLevel(levels.root);
  for (const [name, level] of levels.loggers) getLogger(name === 'root' ? undefined : name).setLevel(level);
  return levels;
}

function plain(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).replace(/^\[@pactown\/log-core\] /, '');
}
