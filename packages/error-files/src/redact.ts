/**
 * Secret masking, when this package is asked to mask (`redact: true`):
 * log-core's engine alone, as configured (`configure({ redact })`), read at
 * write time, extended with the caller's `redactPatterns`. This package has
 * no rules of its own.
 */
import { getRedactor } from '@pactown/log-core';

/** Builds the text redactor for one write: log-core's configured engine, plus `extra` patterns (whole matches masked). */
export function buildRedactor(extra: readonly RegExp[]): (text: string) => string {
  // Read at write time: log-core's configuration may change while the process runs.
  const core = getRedactor();
  const engine =
    extra.length === 0
      ? core
      : core.extend({ patterns: extra.map((p) => (p.global ? p : new RegExp(p.source, `${p.flags}g`))) });
  return (text) => (text === '' ? text : engine.redactText(text));
}
