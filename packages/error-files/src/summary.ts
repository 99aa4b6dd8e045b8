/** The listing row a file's header gives: shared by the reader and by the header index. */
import type { ErrorFileEntry } from './types.js';
import { decodeNumber, decodeValue } from './values.js';

/** What a listing shows of one file, apart from its name. */
export type Summary = Pick<ErrorFileEntry, 'time' | 'exitCode' | 'category' | 'size'>;

/** The longest header read by a listing; a file with no section marker within it is not listed. */
export const MAX_HEADER = 65_536;

/** The raw value of header line `key`, or `undefined`. */
function headerValue(text: string, key: string): string | undefined {
  let at = 0;
  if (!text.startsWith(key)) {
    const i = text.indexOf(`\n${key}`);
    if (i === -1) return undefined;
    at = i + 1;
  }
  const start = at + key.length;
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end);
}

/** The row of a file whose header (the text before the first section marker) is `header`. */
export function summarize(header: string, size: number, mtimeMs: number): Summary {
  const ended = decodeValue(headerValue(header, 'Ended: ') ?? '');
  const category = headerValue(header, 'Category: ');
  return {
    time: Number.isNaN(Date.parse(ended)) ? new Date(mtimeMs).toISOString() : ended,
    exitCode: decodeNumber(headerValue(header, 'Exit code: ') ?? ''),
    category: category === undefined ? 'unknown' : decodeValue(category),
    size,
  };
}
