/**
 * Capture throughput: a child writes N bytes of 100-byte lines (`yes` through
 * `head -c`) as fast as it can; each contender counts the lines live.
 *
 * Every contender's child gets its own session (`detached: true`), as a
 * service does: on Linux with scheduler autogroups a new session is its own
 * CPU-share group, which changes how fast the producer runs on a busy
 * machine. Giving all contenders the same setup compares the capture alone.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { silentLogger } from '../src/process/service-records.js';
import { startService } from '../src/process/service-process.js';
import { serviceDir } from './workdir.js';

const LINE = 'x'.repeat(99);
/** A line with the syntax a secret could hide in (`key=value`, a dash): every line is masked one by one. */
export const KV_LINE = `level=info msg=request-done user=user123 path=/api/items status=200 ${'y'.repeat(31)}`;
export const producer = (bytes: number, line = LINE): string => `yes '${line}' | head -c ${bytes}`;

export interface CaptureRun {
  ms: number;
  /** CPU time of this process (user + system), less sensitive to other load than wall time. */
  cpuMs: number;
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
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lines = await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, lines, rssGrowth: peak - before };
}

/** This package: `startService` with a live `onLog` callback. */
export function ours(bytes: number, line = LINE): Promise<CaptureRun> {
  return measure(async () => {
    let lines = 0;
    const proc = startService({
      // The capture path alone (bench/isolation.ts compares the modes).
      isolation: 'none',
      serviceId: 'bench',
      command: producer(bytes, line),
      cwd: serviceDir(),
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
    const child = spawn('/bin/sh', ['-c', producer(bytes)], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
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
    const subprocess = execa('/bin/sh', ['-c', producer(bytes)], {
      buffer: false,
      stdin: 'ignore',
      stderr: 'ignore',
      detached: true,
      cleanup: false,
    });
    for await (const _line of subprocess) lines++;
    return lines;
  });
}

/** A plain split loop over the same pipe: decode, split on newlines, count. Keeps nothing, calls nothing: the ceiling for a reader that sees every line. */
export function splitLoop(bytes: number): Promise<CaptureRun> {
  return measure(async () => {
    const child = spawn('/bin/sh', ['-c', producer(bytes)], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
    let lines = 0;
    let carry = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      const parts = (carry + text).split('\n');
      carry = parts.pop()!;
      lines += parts.length;
    });
    await new Promise((resolve) => child.stdout.once('end', resolve));
    return carry === '' ? lines : lines + 1;
  });
}

/** The child alone, output thrown away by the OS: the floor. */
export function devNull(bytes: number): Promise<CaptureRun> {
  return measure(async () => {
    const child = spawn('/bin/sh', ['-c', `${producer(bytes)} > /dev/null`], { stdio: 'ignore', detached: true });
    await new Promise((resolve) => child.once('exit', resolve));
    return Math.ceil(bytes / 100);
  });
}
