import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CODES, createLokiClient } from '../src/index.js';
import { normalizeOptions, OPTIONS } from '../src/options.js';

const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
const url = 'http://127.0.0.1:3100';

/** The backticked names in the first cell of each row of the first table after `heading`. */
function tableNames(heading: string): string[] {
  const lines = readme.slice(readme.indexOf(heading)).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const table: string[] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    table.push(line);
  }
  return table.slice(2).flatMap((row) => [...row.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

describe('options', () => {
  it('an unknown key is a TypeError with its code and the nearest valid name', () => {
    let caught: (TypeError & { code?: string }) | undefined;
    try {
      createLokiClient({ url, batchWiat: 5 } as never);
    } catch (err) {
      caught = err as TypeError & { code?: string };
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect(caught!.code).toBe(CODES.UNKNOWN_OPTION);
    expect(caught!.message).toMatch(/unknown option 'batchWiat' .*\(did you mean 'batchWait'\?\)/);
  });

  it('a bad value is a TypeError with the invalid-option code', () => {
    expect(() => normalizeOptions({ url, maxInFlight: 1.5 })).toThrow(
      expect.objectContaining({
        code: CODES.INVALID_OPTION,
        message: expect.stringMatching(/'maxInFlight' must be an integer >= 1, got 1.5/),
      }),
    );
  });

  it('every option is in the README table, and the table names no other', () => {
    expect(tableNames('## Options').sort()).toEqual([...OPTIONS.names].sort());
  });
});

describe('CODES', () => {
  it('is frozen, and every value is PACTOWN_LOKI_<its key>', () => {
    expect(Object.isFrozen(CODES)).toBe(true);
    for (const [key, code] of Object.entries(CODES)) expect(code).toBe(`PACTOWN_LOKI_${key}`);
  });

  it('matches the README table of codes exactly', () => {
    expect(tableNames('## Error codes').sort()).toEqual(Object.values(CODES).sort());
  });

  it("the shared validator's codes are the package's", () => {
    expect(OPTIONS.codes).toEqual({ unknownCode: CODES.UNKNOWN_OPTION, invalidCode: CODES.INVALID_OPTION });
  });
});
