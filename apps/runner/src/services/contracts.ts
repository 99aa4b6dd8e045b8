import type { DiedReport as ErrorFileInput } from '@pactown/error-files';
import type { DiedReport as SandboxDiedReport } from '@pactown/sandbox';

// sandbox and error-files may not import each other, so each declares the died
// report; the app, which hands one to the other, checks here that they agree.
type Satisfies<T extends U, U> = T;

/** Fails to compile when sandbox's died report is not a valid error-files input. */
export type DiedReportContract = Satisfies<SandboxDiedReport, ErrorFileInput>;

/** Keys of error-files' input that sandbox's report does not declare (none, or this fails to compile). */
type Missing = Exclude<keyof ErrorFileInput, keyof SandboxDiedReport>;
export type NoMissingKeys = Satisfies<Missing, never>;
