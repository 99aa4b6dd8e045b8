/**
 * Secret masking, when this package is asked to mask (`redact: true`):
 * log-core's engine alone, as configured (`configure({ redact })`), read at
 * write time, then the caller's `redactPatterns`. This package has no rules
 * of its own.
 */
import { getRedactor } from '@pactown/log-core';

/** Builds the text redactor for one write: log-core's configured engine, then `extra` (whole matches masked). */
export function buildRedactor(extra: readonly RegExp[]): (text: string) => string {
  const global = extra.map((p) => (p.global ? p : new RegExp(p.source, `${p.flags}g`)));
  // Read at write time: log-core's configuration may change while the process runs.
  const core = getRedactor();
  return (text) => {
    if (text === '') return text;
    let out = core.redactText(text);
    for (const pattern of global) out = out.replace(pattern, core.censor);
    return out;
  };
}
