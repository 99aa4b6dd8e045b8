import type { DiedReport as ErrorFileInput } from '@pactown/error-files';
import type { DiedReport as SandboxDiedReport } from '@pactown/sandbox';

// sandbox and error-files may not import each other, so each declares the died
// report; the app, which hands one to the other, checks here that they agree.
type Satisfies<T extends U, U> = T;

/**
 * Categories sandbox reports that error-files does not list yet. error-files
 * writes and reads the category as text, so such a report is written as is;
 * this list must only ever shrink.
 */
export type CategoriesNotInErrorFiles = Exclude<SandboxDiedReport['category'], ErrorFileInput['category']>;
export type OnlyKnownGaps = Satisfies<CategoriesNotInErrorFiles, 'resource_limit'>;

/** Fails to compile when sandbox's died report, its category aside, is not a valid error-files input. */
export type DiedReportContract = Satisfies<Omit<SandboxDiedReport, 'category'>, Omit<ErrorFileInput, 'category'>>;

/** Keys of error-files' input that sandbox's report does not declare (none, or this fails to compile). */
type Missing = Exclude<keyof ErrorFileInput, keyof SandboxDiedReport>;
export type NoMissingKeys = Satisfies<Missing, never>;

/** Sandbox's died report as error-files' input: the same object (see `CategoriesNotInErrorFiles`). */
export function errorFileInput(report: SandboxDiedReport): ErrorFileInput {
  return report as Omit<SandboxDiedReport, 'category'> as ErrorFileInput;
}
