import { describe, expectTypeOf, it } from 'vitest';
import type { Handler } from '@pactown/log-core';
import {
  CODES,
  ENTRY_FIRST_LINE,
  type ErrorFileError,
  type ErrorFilesCode,
  SERVICE_ID_PATTERN,
  type DiedReport,
  type ErrorFileEntry,
  type ErrorFileReport,
  type WriteErrorFileOptions,
  defaultLogDir,
  errorFilePath,
  listErrorFiles,
  parseErrorFile,
  readErrorFile,
  renderMarkdown,
  sandboxLogHandler,
  writeErrorFile,
} from '../src/index.js';

describe('public types', () => {
  it('matches the agreed contract', () => {
    expectTypeOf(writeErrorFile).parameters.toEqualTypeOf<[DiedReport, (WriteErrorFileOptions | undefined)?]>();
    expectTypeOf(writeErrorFile).returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf(readErrorFile).returns.toEqualTypeOf<Promise<ErrorFileReport>>();
    expectTypeOf(parseErrorFile).toEqualTypeOf<(text: string) => ErrorFileReport>();
    expectTypeOf(listErrorFiles).returns.toEqualTypeOf<Promise<ErrorFileEntry[]>>();
    expectTypeOf(renderMarkdown).returns.toEqualTypeOf<string>();
    // Every category sandbox reports, a resource limit reached (pids, CPU time, file size, open files) included.
    expectTypeOf<'resource_limit'>().toMatchTypeOf<DiedReport['category']>();
    expectTypeOf(sandboxLogHandler).returns.toEqualTypeOf<Handler>();
    expectTypeOf(defaultLogDir).toEqualTypeOf<() => string>();
    expectTypeOf(errorFilePath).parameters.toEqualTypeOf<[string, string, (number | undefined)?]>();
  });

  it('accepts any object of the died-report shape and gives it back with extras', () => {
    expectTypeOf<ErrorFileReport>().toMatchTypeOf<DiedReport>();
    expectTypeOf<ErrorFileReport['format']>().toEqualTypeOf<'pactown' | 'legacy'>();
    expectTypeOf<DiedReport['exit']['code']>().toEqualTypeOf<number | null>();
    expectTypeOf<ErrorFileEntry>().toHaveProperty('category');
  });

  it('types the codes, the error fields and the shared patterns', () => {
    expectTypeOf(CODES.NOT_FOUND).toEqualTypeOf<'PACTOWN_ERRORS_NOT_FOUND'>();
    expectTypeOf<ErrorFileError['code']>().toEqualTypeOf<ErrorFilesCode>();
    expectTypeOf<ErrorFileError['systemCode']>().toEqualTypeOf<string | undefined>();
    expectTypeOf(SERVICE_ID_PATTERN).toEqualTypeOf<RegExp>();
    expectTypeOf(ENTRY_FIRST_LINE).toEqualTypeOf<RegExp>();
  });
});
