// One round of one throughput contender (bench/contenders.ts): a fresh process of its own
// (bench/throughput-one.ts), then, once it has exited, the check of what it wrote.
import fs from 'node:fs';
import { runChild } from './child.js';
import { type ContenderName, MESSAGE } from './contenders.js';

/** What a contender's process reports: its measured lines, wall time and CPU (every thread). */
export interface ThroughputReport {
  contender: string;
  lines: number;
  wallMs: number;
  cpuMs: number;
}

/**
 * What a contender wrote: its lines and how many of them hold the message. Read after its
 * process has exited, so none of it is in the contender's time.
 */
export function written(file: string): { lines: number; messages: number } {
  const data = fs.readFileSync(file);
  let lines = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
  let messages = 0;
  for (let i = data.indexOf(MESSAGE); i !== -1; i = data.indexOf(MESSAGE, i + MESSAGE.length)) messages++;
  return { lines, messages };
}

/**
 * Runs `name` in a process of its own, logging `warmup` lines to `<file>.warmup` and then `lines`
 * lines to `file`; returns its report once its file holds every line (an error otherwise).
 * Both files are removed.
 */
export async function runOnce(
  name: ContenderName,
  file: string,
  lines: number,
  warmup: number,
): Promise<ThroughputReport> {
  try {
    const report = await runChild<ThroughputReport>(
      'throughput-one.ts',
      [name, file, String(lines), String(warmup)],
      `contender ${name}`,
    );
    if (!fs.existsSync(file)) throw new Error(`${name} exited without writing its file`);
    const got = written(file);
    if (got.lines !== lines || got.messages !== lines)
      throw new Error(`${name} wrote ${got.lines} lines (${got.messages} with the message) of ${lines}`);
    if (report.lines !== lines) throw new Error(`${name} reported ${report.lines} lines of ${lines}`);
    return report;
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.warmup`, { force: true });
  }
}
