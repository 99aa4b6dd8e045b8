/**
 * Concurrent runs (run: `npx tsx bench/concurrent.ts`, scale with BENCH_SCALE=0.5).
 * 20 runFromContent calls for 20 different ids of a dependency-free Node server, all
 * started at once: the median call -> success time, against a single run alone, plus
 * the longest stall of our event loop while they start. The floor on this machine: the
 * same 20 servers started directly (`node server.js`, no runner) and polled the same way
 * (TCP connect until the port is open, then HTTP), all at once.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, machineLine, median, printTable, verdict } from '@pactown/bench';
import { silentLogger } from '../src/process/service-records.js';
import { waitForHttp, waitForPort } from '../src/process/readiness.js';
import { ServiceRunner } from '../src/runner/service-runner.js';
import { freePort } from '@pactown/test-helpers';

// The runner's own overhead is measured against a plain start of the same server, so both run
// without namespaces; what bubblewrap adds is bench/isolation.ts's table. BENCH_ISOLATION_MODE=namespaces
// runs the runner isolated instead (the ratio then holds both).
const ISOLATION = process.env.BENCH_ISOLATION_MODE === 'namespaces' ? 'namespaces' : 'none';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const COUNT = Number(process.env.BENCH_CONCURRENT ?? 20);
const singleRounds = Math.max(3, Math.round(9 * scale));
const concurrentRounds = Math.max(1, Math.round(3 * scale));

const SERVER = `require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n`;
const CONTENT = { files: { 'server.js': SERVER }, run: 'node server.js' };

/** Longest gap between 1 ms timer ticks while `work` runs: how long the event loop was blocked. */
async function withLoopStall<T>(work: () => Promise<T>): Promise<{ value: T; stallMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  try {
    return { value: await work(), stallMs };
  } finally {
    clearInterval(timer);
  }
}

/** Call -> success for each of `ids`, all started at once; every service is stopped afterwards. */
async function runAll(runner: ServiceRunner, ids: string[]): Promise<number[]> {
  const ports = await Promise.all(ids.map(() => freePort()));
  const t0 = performance.now();
  const times = await Promise.all(
    ids.map(async (serviceId, i) => {
      const result = await runner.runFromContent({ serviceId, content: CONTENT, port: ports[i]!, timeoutMs: 60_000 });
      if (!result.success) throw new Error(`${serviceId}: ${result.message}\n${result.stderrOutput}`);
      return performance.now() - t0;
    }),
  );
  await Promise.all(ids.map((id) => runner.stop(id)));
  return times;
}

/** The same servers without the runner: spawned directly in their own session, polled the same way. */
async function directAll(dir: string, count: number): Promise<number[]> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  const t0 = performance.now();
  const children = ports.map((port) =>
    spawn('node', ['server.js'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    }),
  );
  for (const child of children) {
    child.stdout!.resume();
    child.stderr!.resume();
  }
  const times = await Promise.all(
    ports.map(async (port) => {
      const open = await waitForPort({ port, timeoutMs: 60_000 });
      const ready = open.done ? await waitForHttp({ port, path: '/health', timeoutMs: 60_000 }) : open;
      if (!ready.done) throw new Error(`direct start on port ${port} did not become ready`);
      return performance.now() - t0;
    }),
  );
  await Promise.all(
    children.map((child) => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGTERM');
      return exited;
    }),
  );
  return times;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'pactown-bench-concurrent-'));
  const runner = new ServiceRunner({ sandboxesDir: join(root, 'sandboxes'), logger: silentLogger, isolation: ISOLATION });
  try {
    const plain = join(root, 'plain');
    await mkdir(plain);
    await writeFile(join(plain, 'server.js'), SERVER);
    await directAll(plain, 1);
    await runAll(runner, ['warmup']);
    const single: number[] = [];
    const concurrentMedians: number[] = [];
    const lastReady: number[] = [];
    const stalls: number[] = [];
    const directSingle: number[] = [];
    const directMedians: number[] = [];
    const directLast: number[] = [];
    const ids = Array.from({ length: COUNT }, (_, i) => `svc-${i}`);
    for (let round = 0; round < Math.max(singleRounds, concurrentRounds); round++) {
      if (round < singleRounds) {
        single.push(...(await runAll(runner, ['single'])));
        directSingle.push(...(await directAll(plain, 1)));
      }
      if (round < concurrentRounds) {
        const direct = await directAll(plain, COUNT);
        directMedians.push(median(direct));
        directLast.push(Math.max(...direct));
        const { value, stallMs } = await withLoopStall(() => runAll(runner, ids));
        concurrentMedians.push(median(value));
        lastReady.push(Math.max(...value));
        stalls.push(stallMs);
      }
    }
    console.log(machineLine());
    console.log(`runner isolation: '${ISOLATION}' (the direct start runs the same server without a runner)`);
    printTable(
      `Dependency-free Node server, call -> success (single: median of ${singleRounds}; ${COUNT} at once: median of ${concurrentRounds} rounds)`,
      ['how', 'median ms', 'last ready ms (max for 1)', 'longest loop stall ms'],
      [
        ['runFromContent, 1 alone', median(single), Math.max(...single), '-'],
        [`runFromContent, ${COUNT} at once`, median(concurrentMedians), median(lastReady), median(stalls)],
        ['node server.js directly, 1 alone', median(directSingle), Math.max(...directSingle), '-'],
        [`node server.js directly, ${COUNT} at once`, median(directMedians), median(directLast), '-'],
      ],
    );
    // 20 starts at once against one alone measure the 2 cores as much as the runner: figures, not
    // targets. The target is the runner's overhead over the same 20 direct starts, below.
    figure(
      `${COUNT} concurrent runs (median) / a single run`,
      `${(median(concurrentMedians) / median(single)).toFixed(2)}x`,
      `${median(concurrentMedians).toFixed(0)} ms / ${median(single).toFixed(0)} ms`,
    );
    figure(
      `(floor) ${COUNT} direct starts at once / 1 direct start`,
      `${(median(directMedians) / median(directSingle)).toFixed(2)}x`,
      `${median(directMedians).toFixed(0)} ms / ${median(directSingle).toFixed(0)} ms`,
    );
    verdict(
      `${COUNT} concurrent runs / ${COUNT} direct starts at once (runner overhead under load)`,
      median(concurrentMedians) / median(directMedians),
      { atMost: 1.3 },
      `runner ${median(concurrentMedians).toFixed(0)} ms / direct ${median(directMedians).toFixed(0)} ms`,
    );
  } finally {
    await runner.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
