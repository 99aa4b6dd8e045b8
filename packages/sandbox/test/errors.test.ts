import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CODES, ServiceRunner, assertServiceId, startService } from '../src/index.js';

describe('error codes', () => {
  it('README lists exactly the codes of CODES', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Error codes'),
      readme.indexOf('\n## ', readme.indexOf('## Error codes') + 3),
    );
    const listed = [...section.matchAll(/^\| `(PACTOWN_SANDBOX_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(Object.values(CODES).sort());
    expect(Object.isFrozen(CODES)).toBe(true);
    for (const [key, code] of Object.entries(CODES)) expect(code).toBe(`PACTOWN_SANDBOX_${key}`);
  });

  it('thrown errors carry their code', async () => {
    expect(() => assertServiceId('_api')).toThrow(expect.objectContaining({ code: CODES.INVALID_ID }));
    expect(() => assertServiceId('a..b')).toThrow(expect.objectContaining({ code: CODES.INVALID_ID }));
    const start = (extra: Record<string, unknown>) => () =>
      startService({ serviceId: 'codes', command: process.execPath, cwd: '.', ...extra } as never);
    expect(start({ tailBytes: -1 })).toThrow(
      expect.objectContaining({ name: 'TypeError', code: CODES.INVALID_OPTION }),
    );
    expect(start({ tailByts: 10 })).toThrow(expect.objectContaining({ name: 'TypeError', code: CODES.UNKNOWN_OPTION }));
    expect(start({ tailByts: 10 })).toThrow(
      "unknown option 'tailByts' in startService options (did you mean 'tailBytes'?)",
    );
    expect(start({ serviceId: '-x' })).toThrow(expect.objectContaining({ code: CODES.INVALID_OPTION }));
    expect(() => new ServiceRunner({ sandboxesDir: 'x', cacheMaxEntrys: 3 } as never)).toThrow(
      expect.objectContaining({ code: CODES.UNKNOWN_OPTION, suggestion: 'cacheMaxEntries' }),
    );
  });
});
