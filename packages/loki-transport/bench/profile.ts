// Where the worker's time goes: ours at the steady rate under `node --cpu-prof`
// (a profile per thread), next to the floor of a pino transport that only
// parses its lines, each summarised by source file and by function.
//   npx tsx bench/profile.ts [seconds]   (default 10; BENCH_SCALE scales it)
import fs from 'node:fs';
import { SourceMap } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, printTable } from '@pactown/bench';
import type { Kind } from './contenders.mjs';
import { runSteady } from './run.js';

const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const SECONDS = Number(process.argv[2] ?? Math.max(3, Math.round(10 * SCALE)));
const RATE = Number(process.env.BENCH_PROFILE_RATE ?? 20_000);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const maps = new Map<string, SourceMap | null>();
function sourceMapFor(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let map: SourceMap | null = null;
    try {
      const file = fileURLToPath(url);
      const mapFile = `${file}.map`;
      if (fs.existsSync(mapFile)) map = new SourceMap(JSON.parse(fs.readFileSync(mapFile, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(url, map);
  }
  return maps.get(url)!;
}

/** Where a frame's code lives (our source file, a dependency, Node itself, or V8's own buckets) and its line there. */
function place(frame: Node['callFrame']): { where: string; line?: number } {
  const { url, functionName } = frame;
  if (!url) return { where: functionName.startsWith('(') ? functionName : `(native) ${functionName}` };
  if (url.startsWith('node:')) return { where: url, line: frame.lineNumber + 1 };
  const map = url.startsWith('file:') ? sourceMapFor(url) : null;
  if (map) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as {
      originalSource?: string;
      originalLine?: number;
    };
    if (entry.originalSource)
      return {
        where: `loki-transport ${entry.originalSource.replace(/^.*\/src\//, 'src/')}`,
        line: (entry.originalLine ?? 0) + 1,
      };
  }
  const dep = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  return { where: dep ? dep[1]! : path.basename(url), line: frame.lineNumber + 1 };
}

function summarise(file: string): { total: number; byPlace: Map<string, number>; byFunction: Map<string, number> } {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++)
    self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const f = nodes.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    total += us;
    const { where, line } = place(f);
    byPlace.set(where, (byPlace.get(where) ?? 0) + us);
    const fn = where.startsWith('(') ? where : `${f.functionName || '(anonymous)'} ${where}${line ? `:${line}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  return { total, byPlace, byFunction };
}

function top(m: Map<string, number>, total: number, n: number): Array<Array<string | number>> {
  return [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => [k, us / 1000, `${((100 * us) / total).toFixed(1)}%`]);
}

console.log(
  "(The profiles cover each thread's whole life, worker start-up included; the parse-only worker is the floor: reading and JSON.parse of each line, nothing else.)",
);
console.log(
  `# Profile of the pino worker\n\n${machineLine()}\nCommand: npx tsx bench/profile.ts ${SECONDS} (${RATE} lines/s for ${SECONDS} s, each shipper's defaults)`,
);
for (const kind of ['ours', 'parse-only'] as Kind[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loki-profile-'));
  try {
    const r = await runSteady(kind, 'defaults', RATE, SECONDS, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    const files = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort();
    console.log(
      `\n## ${kind}: ${r.delivered} of ${r.lines} lines delivered in ${r.bodies} requests (${(r.bytes / Math.max(1, r.delivered)).toFixed(1)} bytes/line), process CPU ${r.cpuMs.toFixed(0)} ms (${((r.cpuMs * 1000) / r.lines).toFixed(2)} µs/line, profiler included)`,
    );
    for (const f of files) {
      // File names end in <pid>.<thread id>.<seq>: thread 0 is the main (logging) thread.
      const tid = f.split('.').at(-3);
      const s = summarise(path.join(dir, f));
      const thread = tid === '0' ? 'main thread' : `worker thread ${tid}`;
      printTable(
        `${kind}, ${thread}: self time by place (${(s.total / 1000).toFixed(0)} ms sampled, idle excluded)`,
        ['where', 'ms', 'share'],
        top(s.byPlace, s.total, 12),
      );
      if (tid !== '0')
        printTable(
          `${kind}, ${thread}: top functions by self time`,
          ['function', 'ms', 'share'],
          top(s.byFunction, s.total, 20),
        );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
