import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CODES,
  ErrorFileError,
  SERVICE_ID_PATTERN,
  cleanErrorFiles,
  errorFilePath,
  isValidServiceId,
  listErrorFiles,
  prepareReport,
  readErrorFile,
  sandboxLogHandler,
  writeErrorFile,
} from '../src/index.js';
import { WRITE_OPTIONS } from '../src/options.js';
import { SANDBOX_LOG_OPTIONS } from '../src/sandbox-log.js';
import { seedReport } from './fixtures/seed-report.js';
import { tempDir } from '@pactown/test-helpers';

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ path: dir, remove: cleanup } = await tempDir('ef-contract-'));
});
afterEach(() => cleanup());

describe('CODES', () => {
  it('is frozen, and every value is PACTOWN_ERRORS_ plus its key', () => {
    expect(Object.isFrozen(CODES)).toBe(true);
    for (const [key, value] of Object.entries(CODES)) expect(value).toBe(`PACTOWN_ERRORS_${key}`);
  });

  it("matches the README's table of codes, row for row", () => {
    const table = README.slice(README.indexOf('## Error codes'));
    const rows = [...table.matchAll(/^\| `(PACTOWN_ERRORS_[A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(rows).toEqual(Object.values(CODES));
  });

  it('every failure carries one of them, with the system code apart', async () => {
    const missing = await readErrorFile(dir, 'ghost').catch((e) => e);
    expect(missing).toBeInstanceOf(ErrorFileError);
    expect(missing).toMatchObject({ code: CODES.NOT_FOUND, systemCode: 'ENOENT' });
    expect(await listErrorFiles(`${dir}/nope`).catch((e) => e)).toMatchObject({
      code: CODES.LIST_FAILED,
      systemCode: 'ENOENT',
    });
    expect(await writeErrorFile(seedReport({ serviceId: '../x' }), { logDir: dir }).catch((e) => e)).toMatchObject({
      name: 'TypeError',
      code: CODES.INVALID_ID,
    });
    expect(() => errorFilePath(dir, 'a..b')).toThrow(expect.objectContaining({ code: CODES.INVALID_ID }));
    const file = await writeErrorFile(seedReport(), { logDir: dir });
    // A file where the folder should be: the folder cannot be used.
    expect(await writeErrorFile(seedReport(), { logDir: file }).catch((e) => e)).toMatchObject({
      code: CODES.LOG_DIR_FAILED,
    });
  });
});

describe('options', () => {
  it('an unknown key is a TypeError naming the nearest valid one, in every options object', async () => {
    const cases: Array<[string, () => unknown, string, string]> = [
      [
        'writeErrorFile',
        () => writeErrorFile(seedReport(), { logDir: dir, tailbytes: 1 } as never),
        'tailbytes',
        'tailBytes',
      ],
      ['prepareReport', () => prepareReport(seedReport(), { histroy: 2 } as never), 'histroy', 'history'],
      ['readErrorFile', () => readErrorFile(dir, '123', { indx: 1 } as never), 'indx', 'index'],
      ['cleanErrorFiles', () => cleanErrorFiles(dir, { olderThanMs: 1, dryrun: true } as never), 'dryrun', 'dryRun'],
      [
        'sandboxLogHandler',
        () => sandboxLogHandler({ logDir: dir, backupcount: 2 } as never),
        'backupcount',
        'backupCount',
      ],
    ];
    for (const [where, call, key, near] of cases) {
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expect(error, where).toBeInstanceOf(TypeError);
      expect(error, where).toMatchObject({ code: CODES.UNKNOWN_OPTION });
      expect((error as Error).message, where).toContain(`unknown option '${key}'`);
      expect((error as Error).message, where).toContain(`(did you mean '${near}'?)`);
    }
  });

  it('a bad value is a TypeError with PACTOWN_ERRORS_INVALID_OPTION naming the option and the value', async () => {
    const error = await writeErrorFile(seedReport(), { logDir: dir, history: 1001 }).catch((e) => e);
    expect(error).toMatchObject({ name: 'TypeError', code: CODES.INVALID_OPTION });
    expect(error.message).toMatch(/option 'history' must be an integer from 0 to 1000, got 1001/);
    expect(() => sandboxLogHandler({ logDir: dir, filename: 'a/b.log' })).toThrow(
      expect.objectContaining({ code: CODES.INVALID_OPTION }),
    );
  });
});

describe('README options tables', () => {
  it('are the ones the options tables render', () => {
    expect(README).toContain(WRITE_OPTIONS.markdown());
    expect(README).toContain(SANDBOX_LOG_OPTIONS.markdown());
  });
});

describe('SERVICE_ID_PATTERN', () => {
  it('is the shared rule, exactly', () => {
    expect(SERVICE_ID_PATTERN.source).toBe('^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
    expect(SERVICE_ID_PATTERN.flags).toBe('');
  });

  it('accepts exactly the ids the rule describes (property)', () => {
    const chars = fc.constantFrom(...'aZ09._-/\\ \0é'.split(''));
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 70 }).map((a) => a.join('')),
        (id) => {
          const byHand =
            id.length >= 1 &&
            id.length <= 64 &&
            /^[A-Za-z0-9]/.test(id) &&
            /^[A-Za-z0-9._-]*$/.test(id) &&
            !id.includes('..');
          expect(isValidServiceId(id)).toBe(byHand);
        },
      ),
      { numRuns: 2000 },
    );
    for (const id of ['_api', 'a..b', 'x'.repeat(65), '.x', '-x']) expect(isValidServiceId(id), id).toBe(false);
    for (const id of ['a', 'api_1', 'a.b', 'x'.repeat(64), '0-x']) expect(isValidServiceId(id), id).toBe(true);
  });
});
