/**
 * Drains one output stream for the whole life of a process: every chunk goes
 * through the line splitter, each line is masked once, and the masked text
 * goes to the bounded tail and to the service's records, synchronously, so
 * nothing queues up however fast the process writes.
 */
import { LINE_CONTINUES_MARKER, LineSplitter } from './line-splitter.js';
import type { ServiceRecords } from './service-records.js';
import type { TailBuffer } from './tail-buffer.js';

/** Resolves when the stream has ended (or failed); the last line without a newline is delivered first. */
export function captureStream(
  stream: NodeJS.ReadableStream | null,
  name: 'stdout' | 'stderr',
  tail: TailBuffer,
  log: ServiceRecords,
  maxLineLength: number,
): Promise<void> {
  if (stream === null) return Promise.resolve();
  // One clock read per chunk: the lines of a chunk arrived together.
  let arrived = 0;
  // A clean block goes into the tail whole (one copy); other lines go in one by one, masked.
  let cleanBlock = false;
  // The line end() delivers had no newline; the tail keeps it without one, as written.
  let ending = false;
  const splitter = new LineSplitter(
    (text, split) => {
      const masked = log.mask(name, text);
      if (!cleanBlock) {
        if (split && masked.endsWith(LINE_CONTINUES_MARKER))
          tail.pushText(masked.slice(0, -LINE_CONTINUES_MARKER.length));
        else tail.pushText(ending ? masked : `${masked}\n`);
      }
      log.output(name, masked, split, arrived);
    },
    {
      maxLineLength,
      onBlock: (block) => {
        cleanBlock = log.block(name, block);
        if (cleanBlock) tail.pushText(`${block}\n`);
      },
    },
  );
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      arrived = Date.now();
      splitter.push(bytes);
    });
    const done = (): void => {
      arrived = Date.now();
      ending = true;
      splitter.end();
      resolve();
    };
    stream.once('end', done);
    stream.once('error', done);
  });
}
