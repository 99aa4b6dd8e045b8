export { writeErrorFile } from './write.js';
export { readErrorFile, listErrorFiles } from './read.js';
export type { ReadErrorFileOptions } from './read.js';
export { parseErrorFile } from './parse.js';
export { serialize as formatErrorFile } from './format.js';
export { prepareReport } from './prepare.js';
export { type RenderMarkdownOptions, renderMarkdown, tracebackFiles } from './markdown.js';
export { sandboxLogHandler } from './sandbox-log.js';
export type { SandboxLogHandlerOptions } from './sandbox-log.js';
export { cleanErrorFiles } from './clean.js';
export type { CleanOptions } from './clean.js';
export { SERVICE_ID_PATTERN, defaultLogDir, errorFilePath, isValidServiceId, parseErrorFileName } from './paths.js';
export { CODES, ErrorFileError } from './errors.js';
export type { ErrorFilesCode } from './errors.js';
export { stripAnsi } from './text.js';
export { ENTRY_FIRST_LINE } from './markers.js';
export type { WriteErrorFileOptions } from './options.js';
export type { ErrorFilesFs } from './fs.js';
export type {
  DiedReport,
  ErrorFileEntry,
  ErrorFileReport,
  ExitDescription,
  FailureCategory,
  Suggestion,
} from './types.js';
