/**
 * The lines that give an error file its structure, and the escaping that
 * keeps captured output from forging them.
 *
 * Structural lines are section markers (`--- STDERR ---`), notes
 * (`[... 512 bytes cut before this point ...]`) and any line starting with
 * `Exit code:`, the first line of every file and the anchor log collectors
 * split entries on ({@link ENTRY_FIRST_LINE}). A captured line that would
 * read as one, after removing any backslashes in front, is written with one
 * more backslash in front (`\--- STDERR ---`, `\Exit code: 1`); readers
 * remove one. Every other line is written exactly as captured, so a
 * traceback reads as it did.
 */

/**
 * The first line of an entry, and no other line of a file this package
 * writes: the `firstline` of a collector's multiline rule (RE2 and
 * JavaScript read it alike).
 */
export const ENTRY_FIRST_LINE = /^Exit code: (?:-?[0-9]+|none)$/;

/** A section marker line, e.g. `--- STDERR ---`. */
export const MARKER = /^--- ([A-Z][A-Z0-9 _]*) ---$/;

const STRUCTURAL = '(?:--- [A-Z][A-Z0-9 _]* ---|\\[\\.\\.\\. [^\\n]* \\.\\.\\.\\]|Exit code:[^\\n]*)';
const ESCAPE = new RegExp(`(^|\\n)(\\\\*)(${STRUCTURAL})(?=\\n|$)`, 'g');
const UNESCAPE = new RegExp(`(^|\\n)\\\\(\\\\*)(${STRUCTURAL})(?=\\n|$)`, 'g');
const MAYBE = /(?:^|\n)\\*(?:---|\[\.\.\.|Exit code:)/;

/** Escapes every line of `text` that would read as a structural line. */
export function escapeLines(text: string): string {
  return MAYBE.test(text) ? text.replace(ESCAPE, '$1\\$2$3') : text;
}

/** Reverses {@link escapeLines}. */
export function unescapeLines(text: string): string {
  return MAYBE.test(text) ? text.replace(UNESCAPE, '$1$2$3') : text;
}

/** `[... N bytes cut before this point ...]` */
export function cutNote(bytes: number): string {
  return `[... ${bytes} bytes cut before this point ...]`;
}
export const CUT_NOTE = /^\[\.\.\. (\d+) bytes cut before this point \.\.\.\]$/;

/** Ends a section whose text has no final newline. */
export const NO_NEWLINE_NOTE = '[... no newline at end ...]';

/** `[... N more files not shown ...]` */
export function moreFilesNote(count: number): string {
  return `[... ${count} more files not shown ...]`;
}
export const MORE_FILES_NOTE = /^\[\.\.\. (\d+) more files not shown \.\.\.\]$/;
