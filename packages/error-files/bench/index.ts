/**
 * Error-file benchmarks: writing a report with 64 KiB of stderr, and listing a
 * folder of 10,000 error files (in new processes with and without the header
 * index, and repeated in one process), each next to a plain-fs baseline in the same run.
 * `BENCH_SCALE=0.1` runs a tenth of the rounds and files.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { machineLine, median, percentile, printTable, timeRounds, verdict, verdictSummary } from '@pactown/bench';
import { type DiedReport, formatErrorFile, listErrorFiles, prepareReport, writeErrorFile } from '../src/index.js';
import { listErrorFilesFrom } from '../src/read.js';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const rounds = Math.max(20, Math.round(300 * scale));
const fileCount = Math.max(500, Math.round(10_000 * scale));

function report(i: number): DiedReport {
  const line = "ModuleNotFoundError: No module named 'missing_module' (while importing app.routes.users)\n";
  return {
    serviceId: `svc-${i % 500}`,
    pid: 1000 + i,
    command: 'uvicorn main:app --host 0.0.0.0 --port 8001',
    cwd: `/srv/pactown-sandboxes/service_${i}`,
    envDir: `/srv/pactown-sandboxes/service_${i}/.venv`,
    exit: {
      code: -15,
      exitCode: null,
      signal: 'SIGTERM',
      signalNumber: 15,
      description: 'Termination',
      forced: false,
      viaShell: false,
      message: 'Process killed by SIGTERM (exit code: -15)',
    },
    message: 'Process killed by SIGTERM (exit code: -15)',
    category: 'dependency',
    suggestions: [
      {
        action: 'add_dependency',
        description: "Add 'missing_module' to dependencies",
        command: 'pip install missing_module',
        autoFixable: true,
      },
    ],
    stderrTail: line.repeat(Math.ceil(65_536 / line.length)).slice(0, 65_536),
    stderrDroppedBytes: 0,
    stdoutTail: 'INFO:     Started server process\n',
    stdoutDroppedBytes: 0,
    files: ['main.py', 'requirements.txt', '.venv'],
    startedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    endedAt: new Date(Date.UTC(2026, 0, 1) + i * 1000 + 500).toISOString(),
    durationMs: 500,
  };
}

/** Wall-clock rounds plus the process CPU time per round (less sensitive to a busy machine). */
async function measure(fn: () => unknown, n: number, warmup: number): Promise<{ wall: number[]; cpuMs: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const c0 = process.cpuUsage();
  const wall = await timeRounds(fn, { rounds: n, warmup: 0 });
  const c = process.cpuUsage(c0);
  return { wall, cpuMs: (c.user + c.system) / 1000 / n };
}

console.log(machineLine());
console.log(
  `load average: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} CPUs`,
);
console.log(`rounds: ${rounds}, files listed: ${fileCount}`);

// 1. Writing one report (64 KiB stderr), history 5, into a folder with that service's history.
const writeDir = mkdtempSync(path.join(os.tmpdir(), 'ef-bench-write-'));
const r = report(1);
const text = formatErrorFile(prepareReport(r));
const plainFile = path.join(writeDir, 'plain.log');
const ours = await measure(() => writeErrorFile(r, { logDir: writeDir }), rounds, 10);
// writeErrorFile makes its file-system calls synchronously, so the baselines the
// ratios use do too; the fs.promises versions (slower per call) are shown apart.
const plain = await measure(() => writeFileSync(plainFile, text, { mode: 0o600 }), rounds, 10);
let n = 0;
const atomic = await measure(
  () => {
    const temp = `${plainFile}.${n++}.tmp`;
    writeFileSync(temp, text, { mode: 0o600 });
    renameSync(temp, plainFile);
  },
  rounds,
  10,
);
const plainAsync = await measure(() => writeFile(plainFile, text, { mode: 0o600 }), rounds, 10);
const atomicAsync = await measure(
  async () => {
    const temp = `${plainFile}.${n++}.tmp`;
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, plainFile);
  },
  rounds,
  10,
);
const prepareOnly = await measure(() => formatErrorFile(prepareReport(r)), rounds, 10);
rmSync(writeDir, { recursive: true, force: true });

printTable(
  `writeErrorFile, 64 KiB stderr (${machineLine()})`,
  ['what', 'median ms', 'p95 ms', 'CPU ms/op'],
  [
    [
      'writeErrorFile (redact, format, temp + rename, history 5)',
      median(ours.wall),
      percentile(ours.wall, 95),
      ours.cpuMs,
    ],
    [
      '  of which prepare + format (no I/O)',
      median(prepareOnly.wall),
      percentile(prepareOnly.wall, 95),
      prepareOnly.cpuMs,
    ],
    ['baseline: writeFileSync of the same text', median(plain.wall), percentile(plain.wall, 95), plain.cpuMs],
    [
      'baseline: writeFileSync(temp) + renameSync (plain atomic write)',
      median(atomic.wall),
      percentile(atomic.wall, 95),
      atomic.cpuMs,
    ],
    [
      'for reference: fs.promises.writeFile of the same text',
      median(plainAsync.wall),
      percentile(plainAsync.wall, 95),
      plainAsync.cpuMs,
    ],
    [
      'for reference: fs.promises writeFile(temp) + rename',
      median(atomicAsync.wall),
      percentile(atomicAsync.wall, 95),
      atomicAsync.cpuMs,
    ],
  ],
);
console.log(`ratio writeErrorFile / writeFileSync (median): ${(median(ours.wall) / median(plain.wall)).toFixed(2)}x`);
console.log(
  `ratio writeErrorFile / plain atomic write, synchronous (median): ${(median(ours.wall) / median(atomic.wall)).toFixed(2)}x`,
);
console.log(
  `ratio writeErrorFile / fs.promises atomic write (median, for reference): ${(median(ours.wall) / median(atomicAsync.wall)).toFixed(2)}x`,
);
const writeOk = verdict('writeErrorFile median / 2 ms target', median(ours.wall) / 2, { atMost: 1 });

// 2. Listing a folder of error files (two identical folders: one for a cold cache with warm code).
function fillFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ef-bench-list-'));
  for (let i = 0; i < fileCount; i++) {
    const rep = report(i);
    const index = Math.floor(i / 500);
    const name = index === 0 ? `service_${rep.serviceId}_error.log` : `service_${rep.serviceId}_error.log.${index}`;
    writeFileSync(
      path.join(folder, name),
      formatErrorFile(prepareReport({ ...rep, stderrTail: rep.stderrTail.slice(0, 2000) })),
      { mode: 0o600 },
    );
  }
  return folder;
}
const listDir = fillFolder();
const otherDir = fillFolder();
// Files changed in the last 2 s are not indexed (coarse file timestamps): let the folders settle.
await delay(2100);
const listRounds = Math.max(3, Math.round(7 * Math.min(1, scale * 2)));
const childRounds = Math.max(3, Math.round(5 * Math.min(1, scale * 2)));
const listOnce = fileURLToPath(new URL('./list-once.ts', import.meta.url));

/** One listing in a new process, as `pactown-errors list` makes it; the time is measured inside the child. */
type ChildMode = 'index' | 'no-index' | 'stat';
function childListing(dir: string, mode: ChildMode): { ms: number; cpuMs: number; entries: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', listOnce, dir, mode], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!);
}
function childRuns(dir: string, mode: ChildMode, n: number): { wall: number[]; cpuMs: number; entries: number } {
  const runs = Array.from({ length: n }, () => childListing(dir, mode));
  return { wall: runs.map((r) => r.ms), cpuMs: median(runs.map((r) => r.cpuMs)), entries: runs[0]!.entries };
}

const indexFile = path.join(listDir, '.pactown-errors.index');
const coldNoIndex = childRuns(listDir, 'no-index', childRounds);
const building = childRuns(listDir, 'index', 1);
const indexBytes = statSync(indexFile).size;
const coldIndex = childRuns(listDir, 'index', childRounds);
const coldStat = childRuns(listDir, 'stat', childRounds);

// In this process: a folder never listed here (warm code), then repeated listings.
const warmNoIndex = await measure(() => listErrorFilesFrom(otherDir, { memory: false, index: false }), 1, 1);
const warmIndex = await measure(() => listErrorFilesFrom(listDir, { memory: false, index: true }), listRounds, 1);
let listed = 0;
const list = await measure(
  async () => {
    listed = (await listErrorFiles(listDir)).length;
  },
  listRounds,
  1,
);
const statOnly = await measure(
  () => {
    for (const n of readdirSync(listDir)) lstatSync(path.join(listDir, n));
  },
  listRounds,
  1,
);
rmSync(listDir, { recursive: true, force: true });
rmSync(otherDir, { recursive: true, force: true });

printTable(
  `listErrorFiles over ${fileCount} files (${machineLine()})`,
  ['what', 'median ms', 'p95 ms', 'CPU ms/op'],
  [
    [
      `new process, no index (lstat, open, read header, close per file; ${coldNoIndex.entries} entries)`,
      median(coldNoIndex.wall),
      percentile(coldNoIndex.wall, 95),
      coldNoIndex.cpuMs,
    ],
    [
      `new process, first listing: reads headers, writes the index (${(indexBytes / 1024).toFixed(0)} KiB)`,
      median(building.wall),
      percentile(building.wall, 95),
      building.cpuMs,
    ],
    [
      'new process, with the index (lstat per file, headers from the index)',
      median(coldIndex.wall),
      percentile(coldIndex.wall, 95),
      coldIndex.cpuMs,
    ],
    [
      'baseline: new process, readdir + lstatSync of every file',
      median(coldStat.wall),
      percentile(coldStat.wall, 95),
      coldStat.cpuMs,
    ],
    [
      'this process, warm code, no index, nothing cached',
      median(warmNoIndex.wall),
      percentile(warmNoIndex.wall, 95),
      warmNoIndex.cpuMs,
    ],
    [
      'this process, warm code, with the index, nothing cached in memory',
      median(warmIndex.wall),
      percentile(warmIndex.wall, 95),
      warmIndex.cpuMs,
    ],
    [`repeated listErrorFiles (${listed} entries)`, median(list.wall), percentile(list.wall, 95), list.cpuMs],
    [
      'baseline: readdirSync + lstatSync of every file (no content read)',
      median(statOnly.wall),
      percentile(statOnly.wall, 95),
      statOnly.cpuMs,
    ],
  ],
);
const target = 200 * (fileCount / 10_000);
console.log(
  `ratio new process with index / without: ${(median(coldIndex.wall) / median(coldNoIndex.wall)).toFixed(2)}x`,
);
console.log(
  `ratio new process with index / (readdir + lstat in a new process): ${(median(coldIndex.wall) / median(coldStat.wall)).toFixed(2)}x`,
);
console.log(`ratio repeated / (readdir + lstat): ${(median(list.wall) / median(statOnly.wall)).toFixed(2)}x`);
const coldOk = verdict(
  `listErrorFiles in a new process, with the index / ${target.toFixed(0)} ms target`,
  median(coldIndex.wall) / target,
  { atMost: 1 },
);
const listOk = verdict(`listErrorFiles repeated, median / ${target.toFixed(0)} ms target`, median(list.wall) / target, {
  atMost: 1,
});

verdictSummary();
process.exitCode = writeOk && coldOk && listOk ? 0 : 1;
