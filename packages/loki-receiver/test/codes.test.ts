import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODES } from '../src/index.js';
import { OPTIONS } from '../src/options.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The rows of the README table under `## Error codes`: code -> meaning. */
function readmeCodes(): Map<string, string> {
  const section = readme.split('\n## Error codes')[1]!.split('\n## ')[0]!;
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `(PACTOWN_[A-Z_]+)` \| (.+) \|$/gm)) rows.set(m[1]!, m[2]!);
  return rows;
}

describe('error codes', () => {
  it('are frozen, prefixed PACTOWN_RECEIVER_, and match the options table', () => {
    expect(Object.isFrozen(CODES)).toBe(true);
    for (const code of Object.values(CODES)) expect(code).toMatch(/^PACTOWN_RECEIVER_[A-Z_]+$/);
    expect(OPTIONS.codes).toEqual({ unknownCode: CODES.UNKNOWN_OPTION, invalidCode: CODES.INVALID_OPTION });
  });

  it('are listed in the README, no more and no fewer', () => {
    expect([...readmeCodes().keys()].sort()).toEqual(Object.values(CODES).sort());
  });
});

describe('options table', () => {
  it('in the README is the one the code validates with', () => {
    expect(readme).toContain(OPTIONS.markdown());
  });
});
