import type { LevelKey, OutputStream } from '../process/types.js';

/**
 * Receives every message of a run (our own and the installers' lines); the
 * runner turns them into onLog calls, logger records and `logs` entries.
 * `logger` names the logger for messages that are not `pactown.sandbox`'s.
 */
export type MessageSink = (
  level: LevelKey,
  message: string,
  detail?: { stream?: OutputStream; logger?: string },
) => void;

/** A prepared dependency environment, linked into the sandbox. */
export interface PreparedEnvironment {
  /** `{sandbox}/.venv` or `{sandbox}/node_modules`; `null` when the runtime needs none. */
  envDir: string | null;
  /** Folders to put first on PATH (the venv's `bin`, `node_modules/.bin`). */
  binDirs: string[];
  /** Extra environment for the service (`VIRTUAL_ENV`). */
  env: Record<string, string>;
  /** True when a cached environment was reused. */
  cacheHit: boolean;
}
