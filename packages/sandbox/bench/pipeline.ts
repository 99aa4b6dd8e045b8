/**
 * The line handling alone, without a child process: the same chunks (64 KiB
 * slices of 100-byte lines) through this package's splitter + tail + record
 * delivery, and through `node:readline` over an in-memory stream. Shows the
 * cost of the capture code itself, which a busy machine's pipe and scheduler
 * noise hides in the end-to-end numbers.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { captureStream } from '../src/process/capture.js';
import { createMasking, defaultRedact, defaultRedactCheck } from '../src/process/options.js';
import { ServiceRecords, silentLogger } from '../src/process/service-records.js';
import { TailBuffer } from '../src/process/tail-buffer.js';

/** `line` is the text of every 100-byte line (99 characters and a newline). */
export function makeChunks(bytes: number, line = 'x'.repeat(99)): Buffer[] {
  const block = Buffer.from(`${line}\n`.repeat(6554));
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < bytes) {
    for (let o = 0; o < block.length && total < bytes; o += 65_536) {
      const c = block.subarray(o, Math.min(o + 65_536, o + bytes - total));
      chunks.push(c);
      total += c.length;
    }
  }
  return chunks;
}

/** splitter + masking + tail + onLog records, as `startService` runs them per chunk (default redactor): the real capture code. */
export async function pipelineOurs(chunks: Buffer[]): Promise<number> {
  let lines = 0;
  const log = new ServiceRecords({ serviceId: 'bench', logger: silentLogger, logOutput: false });
  log.useMaskers(createMasking({ redact: defaultRedact, redactCheck: defaultRedactCheck, env: {} }, false).streams);
  log.subscribe(() => {
    lines++;
  });
  await captureStream(Readable.from(chunks, { objectMode: false }), 'stdout', new TailBuffer(65_536), log, 16_384);
  return lines;
}

export async function pipelineReadline(chunks: Buffer[]): Promise<number> {
  let lines = 0;
  // A stream that hands the chunks over one at a time, as a pipe does (no buffering ahead).
  const input = Readable.from(chunks, { objectMode: false });
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  rl.on('line', () => {
    lines++;
  });
  await new Promise((resolve) => rl.once('close', resolve));
  return lines;
}
