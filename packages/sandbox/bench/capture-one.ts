/**
 * One capture contender in a process of its own (no contender inherits
 * another's JIT state or heap): `tsx bench/capture-one.ts <name> <bytes>`.
 * Warms up on 16 MiB, measures once, prints the run as one JSON line.
 */
import { type CaptureRun, devNull, execaLines, KV_LINE, ours, readline, splitLoop } from './capture.js';

export const CONTENDERS: Record<string, (bytes: number) => Promise<CaptureRun>> = {
  '@pactown/sandbox onLog': (bytes) => ours(bytes),
  'node:readline': readline,
  'execa for await (line)': execaLines,
  'plain split loop (decode, split, count)': splitLoop,
  'child alone > /dev/null': devNull,
  // Not in the targets: lines with `key=value` are masked one by one (what that costs).
  '@pactown/sandbox onLog, key=value lines': (bytes) => ours(bytes, KV_LINE),
};

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [name, bytesText] = process.argv.slice(2);
  const run = CONTENDERS[name!];
  if (!run) {
    console.error(`unknown contender ${name}`);
    process.exit(2);
  }
  const bytes = Number(bytesText);
  await run(Math.min(bytes, 16 * 2 ** 20));
  process.stdout.write(`${JSON.stringify(await run(bytes))}\n`);
}
