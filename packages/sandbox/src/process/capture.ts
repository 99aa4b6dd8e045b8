/**
 * Drains one output stream for the whole life of a process: every chunk goes
 * into the bounded tail and through the line splitter to the service's log,
 * synchronously, so nothing queues up however fast the process writes.
 */
import { LineSplitter } from './line-splitter.js';
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
  const splitter = new LineSplitter((text, split) => log.output(name, text, split, arrived), {
    maxLineLength,
    onBlock: (block) => log.block(block),
  });
  return new Promise((resolve) => {
    stream.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      arrived = Date.now();
      tail.push(bytes);
      splitter.push(bytes);
    });
    const done = (): void => {
      arrived = Date.now();
      splitter.end();
      resolve();
    };
    stream.once('end', done);
    stream.once('error', done);
  });
}
