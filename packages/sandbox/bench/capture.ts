/**
 * Capture throughput: a child writes N bytes of 100-byte lines (`yes` through
 * `head -c`) as fast as it can; each contender counts the lines live.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { silentLogger } from '../src/process/logger.js';
import { startService } from '../src/process/service-process.js';

const LINE = 'x'.repeat(99);
export const producer = (bytes: number): string => `yes ${LINE} | head -c ${bytes}`;

export interface CaptureRun {
  ms: number;
  lines: number;
  /** Growth of this process's RSS over the run, sampled every 20 ms. */
  rssGrowth: number;
}

async function measure(run: () => Promise<number>): Promise<CaptureRun> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const t0 = performance.now();
  const lines = await run();
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { ms, lines, rssGrowth: peak - before };
}

/** This package: `startService` with a live `onLog` callback. */
export function ours(bytes: number): Promise<CaptureRun> {
  return measure(async () => {
    let lines = 0;
    const proc = startService({
      serviceId: 'bench',
      command: producer(bytes),
      cwd: tmpdir(),
      logger: silentLogger,
      logOutput: false,
      stopOnExit: false,
      onLog: (record) => {
        if (record.stream === 'stdout') lines++;
      },
    });
    await proc.ended;
    return lines;
  });
}

/** Node's `readline` over the child's stdout. */
export function readline(bytes: number): Promise<CaptureRun> {
  return measure(async () => {
    const child = spawn('/bin/sh', ['-c', producer(bytes)], { stdio: ['ignore', 'pipe', 'ignore'] });
    let lines = 0;
    const rl = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', () => {
      lines++;
    });
    await new Promise((resolve) => rl.once('close', resolve));
    return lines;
  });
}

/** execa's own line iteration: `for await (const line of subprocess)`. */
export function execaLines(bytes: number): Promise<CaptureRun> {
  return measure(async () => {
    let lines = 0;
    const subprocess = execa('/bin/sh', ['-c', producer(bytes)], { buffer: false, stdin: 'ignore', stderr: 'ignore' });
    for await (const _line of subprocess) lines++;
    return lines;
  });
}

/** The child alone, output thrown away by the OS: the floor. */
export function devNull(bytes: number): Promise<CaptureRun> {
  return measure(async () => {
    const child = spawn('/bin/sh', ['-c', `${producer(bytes)} > /dev/null`], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    return Math.ceil(bytes / 100);
  });
}
