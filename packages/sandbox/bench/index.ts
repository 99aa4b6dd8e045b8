/**
 * Benchmarks of @pactown/sandbox (run: `npx pnpm@10.34.8 bench`; scale the
 * captured volume and rounds down with BENCH_SCALE=0.1).
 * 1. capture throughput vs readline and execa's line iteration, same run, with RSS growth;
 *    then the line handling alone (in memory) vs readline
 * 2. process end -> died report, vs execa's result promise
 * 3. server listening -> readiness reported, vs the original's 500 ms polling
 * Then the service-runner benchmarks (bench/runner.ts, bench/concurrent.ts), unless BENCH_RUNNER=0,
 * and what containment costs (bench/isolation.ts: 'namespaces' against 'none'), unless BENCH_ISOLATION=0.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  figure,
  interleave,
  machineLine,
  median,
  percentile,
  printSettings,
  printTable,
  range,
  verdict,
  verdictSummary,
  verdictValue,
} from '@pactown/bench';
import { CONTENDERS } from './capture-one.js';
import { type CaptureRun, KV_LINE } from './capture.js';
import { diedReportLatency, execaResultLatency, originalPollLatency, readinessLatency } from './latency.js';
import { makeChunks, pipelineOurs, pipelineReadline } from './pipeline.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
// 512 MiB per run: long enough to be steady (several seconds per contender), short enough for `pnpm bench` to stay under 15 minutes.
const BYTES = Math.max(1, Math.round(2 ** 29 * scale));
const CAPTURE_ROUNDS = Math.max(1, Math.round(3 * Math.min(1, scale * 4)));
const LATENCY_ROUNDS = Math.max(5, Math.round(20 * Math.min(1, scale * 4)));
const MiB = 2 ** 20;

console.log(machineLine());
console.log(
  `capture: ${(BYTES / MiB).toFixed(0)} MiB of 100-byte lines, ${CAPTURE_ROUNDS} round(s); latency: ${LATENCY_ROUNDS} rounds`,
);

const captureScript = fileURLToPath(new URL('./capture-one.ts', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const names = Object.keys(CONTENDERS);
const kvName = '@pactown/sandbox onLog, key=value lines';
// Each contender's run in a fresh process of its own, rounds interleaved (order rotating).
const runs = await interleave(names, CAPTURE_ROUNDS, async (name) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', captureScript, name, String(BYTES)], {
    cwd: packageDir,
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as CaptureRun;
  if (result.lines !== Math.ceil(BYTES / 100))
    throw new Error(`${name} counted ${result.lines} lines of ${Math.ceil(BYTES / 100)}`);
  return result;
});
const ms = (name: string): number => median(runs[name]!.map((r) => r.ms));
const cpu = (name: string): number => median(runs[name]!.map((r) => r.cpuMs));
const perLine = (r: CaptureRun): number => (r.cpuMs * 1000) / r.lines;
printTable(
  `Capture of ${(BYTES / MiB).toFixed(0)} MiB, each run in its own process; median (min–max) of ${CAPTURE_ROUNDS} interleaved rounds`,
  [
    'contender',
    'wall time (ms)',
    'MiB/s',
    'parent CPU (ms)',
    'parent CPU per line (µs)',
    'lines',
    'peak RSS growth (MiB)',
  ],
  names.map((name) => [
    name,
    range(
      runs[name]!.map((r) => r.ms),
      0,
    ),
    BYTES / MiB / (ms(name) / 1000),
    range(
      runs[name]!.map((r) => r.cpuMs),
      0,
    ),
    name === 'child alone > /dev/null' ? '-' : range(runs[name]!.map(perLine), 3),
    runs[name]![0]!.lines,
    Math.max(...runs[name]!.map((r) => r.rssGrowth)) / MiB,
  ]),
);
printSettings({
  lines: `plain rows: ${KV_LINE.length + 1}-byte lines of 'x'; key=value row: '${KV_LINE}'`,
  producer: '`yes <line> | head -c <bytes>` in a session of its own for every contender',
  '@pactown/sandbox onLog':
    'startService, logOutput false, silent logger, onLog counts stdout records (default masking)',
  'node:readline': 'createInterface over the child stdout, counts line events',
  'execa for await (line)': 'execa buffer false, for await over the subprocess',
});
const oursMs = ms('@pactown/sandbox onLog');
const oursPerLine = median(runs['@pactown/sandbox onLog']!.map(perLine));
const kvPerLine = median(runs[kvName]!.map(perLine));
// Per captured line: wall time (what a reader of the pipe waits) next to the parent's CPU (what
// it costs the process that captures, steadier on a shared machine), plain and key=value lines.
const wallPerLine = (r: CaptureRun): number => (r.ms * 1000) / r.lines;
const perLineRows: Array<[string, string]> = [
  ['@pactown/sandbox onLog, plain lines', '@pactown/sandbox onLog'],
  ['@pactown/sandbox onLog, key=value lines (masked one by one)', kvName],
  ['node:readline, plain lines (reference)', 'node:readline'],
  ['plain split loop, plain lines (ceiling)', 'plain split loop (decode, split, count)'],
];
printTable(
  `Per captured line, ${(BYTES / MiB).toFixed(0)} MiB per run; median (min–max) of ${CAPTURE_ROUNDS} interleaved rounds`,
  ['contender', 'lines', 'wall time per line (µs)', 'parent CPU per line (µs)', 'parent CPU / wall'],
  perLineRows.map(([label, name]) => [
    label,
    runs[name]![0]!.lines,
    range(runs[name]!.map(wallPerLine), 3),
    range(runs[name]!.map(perLine), 3),
    `${(median(runs[name]!.map((r) => r.cpuMs / r.ms)) * 100).toFixed(0)}%`,
  ]),
);
console.log(
  "(parent CPU: process.cpuUsage() of the capturing process from the start of the child to the end of its output, the producer's own CPU not included.)",
);
const wallOf = (name: string) => median(runs[name]!.map(wallPerLine));
figure(
  'capture, parent CPU per captured line, plain lines',
  `${oursPerLine.toFixed(3)} µs`,
  `wall ${wallOf('@pactown/sandbox onLog').toFixed(3)} µs per line; readline ${median(runs['node:readline']!.map(perLine)).toFixed(3)} µs CPU, ${wallOf('node:readline').toFixed(3)} µs wall`,
);
figure(
  'capture, parent CPU per captured line, key=value lines',
  `${kvPerLine.toFixed(3)} µs`,
  `wall ${wallOf(kvName).toFixed(3)} µs per line; ${(kvPerLine / oursPerLine).toFixed(2)}x the plain lines' CPU`,
);
verdict(
  'capture throughput vs node:readline',
  ms('node:readline') / oursMs,
  { atLeast: 1.5 },
  `readline ${ms('node:readline').toFixed(0)} ms / ours ${oursMs.toFixed(0)} ms`,
);
verdict(
  "capture throughput vs execa's line iteration",
  ms('execa for await (line)') / oursMs,
  { atLeast: 4 },
  `execa ${ms('execa for await (line)').toFixed(0)} ms / ours ${oursMs.toFixed(0)} ms`,
);
console.log(
  `(ceiling in this run: a plain split loop that does nothing with its lines reaches ${(ms('node:readline') / ms('plain split loop (decode, split, count)')).toFixed(2)}x node:readline; ours is ${(ms('plain split loop (decode, split, count)') / oursMs).toFixed(2)}x the split loop's speed)`,
);
const oursCpu = cpu('@pactown/sandbox onLog');
console.log(
  `(parent CPU, for reference: readline ${(cpu('node:readline') / oursCpu).toFixed(2)}x ours, execa ${(cpu('execa for await (line)') / oursCpu).toFixed(2)}x ours)`,
);
const growth = Math.max(...runs['@pactown/sandbox onLog']!.map((r) => r.rssGrowth)) / MiB;
verdictValue('peak RSS growth while capturing', growth, { atMost: 64 }, ' MiB');

const PIPE_BYTES = Math.max(MiB, Math.round(256 * MiB * Math.min(1, scale * 4)));
const chunks = makeChunks(PIPE_BYTES);
const pipeOurs: number[] = [];
const pipeReadline: number[] = [];
for (let round = -1; round < 5; round++) {
  let t0 = performance.now();
  await pipelineOurs(chunks);
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
    [
      'listening -> ready (original: 500 ms polling)',
      median(original),
      percentile(original, 90),
      Math.max(...original),
    ],
  ],
);
verdictValue('died report median', median(died), { atMost: 20 }, ' ms');
verdict('died report latency / execa result latency', median(died) / median(execaDied), { atMost: 1.5 });
verdictValue('readiness median', median(ready), { atMost: 50 }, ' ms');
verdict('readiness latency vs the original polling', median(original) / median(ready), { atLeast: 2 });

if (process.env.BENCH_RUNNER !== '0' && existsSync(new URL('./runner.ts', import.meta.url))) {
  await import('./runner.js');
  await import('./concurrent.js');
}

if (process.env.BENCH_ISOLATION !== '0') await import('./isolation.js');

verdictSummary();
