/**
 * Benchmarks of @pactown/sandbox (run: `npx pnpm@10.34.8 bench`; scale the
 * captured volume and rounds down with BENCH_SCALE=0.1).
 * 1. capture throughput vs readline and execa's line iteration, same run, with RSS growth;
 *    then the line handling alone (in memory) vs readline
 * 2. process end -> died report, vs execa's result promise
 * 3. server listening -> readiness reported, vs the original's 500 ms polling
 * Then the service-runner benchmarks (bench/runner.ts, bench/concurrent.ts), unless BENCH_RUNNER=0.
 */
import { existsSync } from 'node:fs';
import { machineLine, median, percentile, printTable, verdict } from '@pactown/bench';
import { type CaptureRun, devNull, execaLines, KV_LINE, ours, readline, splitLoop } from './capture.js';
import { diedReportLatency, execaResultLatency, originalPollLatency, readinessLatency } from './latency.js';
import { makeChunks, pipelineOurs, pipelineReadline } from './pipeline.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const BYTES = Math.max(1, Math.round(2 ** 30 * scale));
const CAPTURE_ROUNDS = Math.max(1, Math.round(3 * Math.min(1, scale * 4)));
const LATENCY_ROUNDS = Math.max(5, Math.round(20 * Math.min(1, scale * 4)));
const MiB = 2 ** 20;

console.log(machineLine());
console.log(`capture: ${(BYTES / MiB).toFixed(0)} MiB of 100-byte lines, ${CAPTURE_ROUNDS} round(s); latency: ${LATENCY_ROUNDS} rounds`);

const contenders: Record<string, (bytes: number) => Promise<CaptureRun>> = {
  '@pactown/sandbox onLog': (bytes) => ours(bytes),
  'node:readline': readline,
  'execa for await (line)': execaLines,
  'plain split loop (decode, split, count)': splitLoop,
  'child alone > /dev/null': devNull,
  // Not in the targets: lines with `key=value` are masked one by one (what that costs).
  '@pactown/sandbox onLog, key=value lines': (bytes) => ours(bytes, KV_LINE),
};
const runs: Record<string, CaptureRun[]> = {};
// Warm-up (JIT, module loading) with a small volume, not measured.
for (const run of Object.values(contenders)) await run(Math.min(BYTES, 16 * MiB));
for (let round = 0; round < CAPTURE_ROUNDS; round++) {
  for (const [name, run] of Object.entries(contenders)) {
    const result = await run(BYTES);
    if (result.lines !== Math.ceil(BYTES / 100)) throw new Error(`${name} counted ${result.lines} lines of ${Math.ceil(BYTES / 100)}`);
    (runs[name] ??= []).push(result);
  }
}
const ms = (name: string): number => median(runs[name]!.map((r) => r.ms));
const cpu = (name: string): number => median(runs[name]!.map((r) => r.cpuMs));
printTable(
  `Capture of ${(BYTES / MiB).toFixed(0)} MiB (median of ${CAPTURE_ROUNDS})`,
  ['contender', 'time (ms)', 'MiB/s', 'parent CPU (ms)', 'peak RSS growth (MiB)'],
  Object.keys(contenders).map((name) => [
    name,
    ms(name),
    BYTES / MiB / (ms(name) / 1000),
    cpu(name),
    Math.max(...runs[name]!.map((r) => r.rssGrowth)) / MiB,
  ]),
);
const oursMs = ms('@pactown/sandbox onLog');
console.log(`(lines are ${KV_LINE.length + 1} bytes in every row; the key=value row masks each line: ${(ms('@pactown/sandbox onLog, key=value lines') / oursMs).toFixed(2)}x the time of the first row)`);
verdict('capture throughput vs node:readline', ms('node:readline') / oursMs, { atLeast: 1.5 });
verdict("capture throughput vs execa's line iteration", ms('execa for await (line)') / oursMs, { atLeast: 4 });
console.log(
  `(ceiling in this run: a plain split loop that does nothing with its lines reaches ${(ms('node:readline') / ms('plain split loop (decode, split, count)')).toFixed(2)}x node:readline; ours is ${(ms('plain split loop (decode, split, count)') / oursMs).toFixed(2)}x the split loop's speed)`,
);
const oursCpu = cpu('@pactown/sandbox onLog');
console.log(`(parent CPU per byte, for reference: readline ${(cpu('node:readline') / oursCpu).toFixed(2)}x ours, execa ${(cpu('execa for await (line)') / oursCpu).toFixed(2)}x ours)`);
const growth = Math.max(...runs['@pactown/sandbox onLog']!.map((r) => r.rssGrowth)) / MiB;
console.log(`${growth <= 64 ? 'PASS' : 'MISS'} peak RSS growth while capturing: ${growth.toFixed(1)} MiB (target <= 64 MiB)`);

const PIPE_BYTES = Math.max(MiB, Math.round(256 * MiB * Math.min(1, scale * 4)));
const chunks = makeChunks(PIPE_BYTES);
const pipeOurs: number[] = [];
const pipeReadline: number[] = [];
for (let round = -1; round < 5; round++) {
  let t0 = performance.now();
  pipelineOurs(chunks);
  if (round >= 0) pipeOurs.push(performance.now() - t0);
  t0 = performance.now();
  await pipelineReadline(chunks);
  if (round >= 0) pipeReadline.push(performance.now() - t0);
}
printTable(
  `Line handling alone, ${(PIPE_BYTES / MiB).toFixed(0)} MiB in memory (median of 5)`,
  ['contender', 'time (ms)', 'MiB/s'],
  [
    ['@pactown/sandbox splitter + tail + records', median(pipeOurs), PIPE_BYTES / MiB / (median(pipeOurs) / 1000)],
    ['node:readline over a stream', median(pipeReadline), PIPE_BYTES / MiB / (median(pipeReadline) / 1000)],
  ],
);
verdict('line handling vs node:readline (no child)', median(pipeReadline) / median(pipeOurs), { atLeast: 1.5 });

const died: number[] = [];
const execaDied: number[] = [];
const ready: number[] = [];
const original: number[] = [];
for (let i = 0; i < LATENCY_ROUNDS; i++) {
  died.push(await diedReportLatency());
  execaDied.push(await execaResultLatency());
  ready.push(await readinessLatency());
  if (i < Math.ceil(LATENCY_ROUNDS / 2)) original.push(await originalPollLatency());
}
printTable(
  'Latency (ms)',
  ['measure', 'median', 'p90', 'max'],
  [
    ['process end -> died report (@pactown/sandbox)', median(died), percentile(died, 90), Math.max(...died)],
    ['process end -> execa result settles', median(execaDied), percentile(execaDied, 90), Math.max(...execaDied)],
    ['listening -> ready (@pactown/sandbox)', median(ready), percentile(ready, 90), Math.max(...ready)],
    ['listening -> ready (original: 500 ms polling)', median(original), percentile(original, 90), Math.max(...original)],
  ],
);
console.log(`${median(died) <= 20 ? 'PASS' : 'MISS'} died report median: ${median(died).toFixed(1)} ms (target <= 20 ms)`);
verdict('died report latency / execa result latency', median(died) / median(execaDied), { atMost: 1.5 });
console.log(`${median(ready) <= 50 ? 'PASS' : 'MISS'} readiness median: ${median(ready).toFixed(1)} ms (target <= 50 ms)`);
verdict('readiness latency vs the original polling', median(original) / median(ready), { atLeast: 2 });

if (process.env.BENCH_RUNNER !== '0' && existsSync(new URL('./runner.ts', import.meta.url))) {
  await import('./runner.js');
  await import('./concurrent.js');
}
