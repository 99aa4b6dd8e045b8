/** Process-wide switches changed only by `configure()`. */
export const settings = {
  /** Python's `lastResort`: WARNING and above go to stderr when no handler is found on the way up. */
  lastResort: true,
  /** Run `redactText` over every message before handlers see it. */
  redactMessages: true,
  /** Write what every handler holds in an `'exit'` listener, installed when the first file is opened. */
  flushOnExit: true,
};

/** Bumped whenever a handler is attached or removed, or `propagate` changes, so cached handler chains rebuild. */
export const topology = { version: 0 };
