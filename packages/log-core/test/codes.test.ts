import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODES, configure, fileHandler, getLogger, parseLevel } from '../src/index.js';

describe('CODES', () => {
  it('is frozen and every code is PACTOWN_CORE_<KEY>', () => {
    expect(Object.isFrozen(CODES)).toBe(true);
    for (const [key, code] of Object.entries(CODES)) expect(code).toBe(`PACTOWN_CORE_${key}`);
  });

  it('matches the README table, row for row', () => {
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Error codes'), readme.indexOf('## Behaviour under failure'));
    const rows = [...section.matchAll(/^\| `([A-Z_]+)` \| `([A-Z_]+)` \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.entries(CODES));
  });

  it('thrown errors carry their code', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return undefined;
    };
    expect(codeOf(() => parseLevel('loud'))).toBe(CODES.INVALID_LEVEL);
    expect(codeOf(() => fileHandler({ filename: '' }))).toBe(CODES.INVALID_OPTION);
    expect(codeOf(() => configure({ env: false, levle: 1 } as never))).toBe(CODES.UNKNOWN_OPTION);
    expect(codeOf(() => getLogger(1 as never))).toBe(CODES.INVALID_ARGUMENT);
  });
});
