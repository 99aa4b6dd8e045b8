import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleave, median, printSettings, printTable, range, verdict } from '@pactown/bench';
import { HEALTHY_SAMPLE } from '../src/demo/samples.js';
import { startBenchServer } from './server.js';

const BARE = fileURLToPath(new URL('./bare-starts.ts', import.meta.url));
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runner overhead: `concurrency` concurrent POST /run of the dependency-free sample
 * against `concurrency` concurrent bare starts of the same server (`node server.mjs`,
 * in a process of their own), rounds interleaved. Target: the app's median time to
 * success within 1.3x of the bare starts' median.
 */
export async function benchConcurrentRuns(concurrency = 20, rounds = 3): Promise<boolean> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'pactown-bench-runs-'));
  // The bare starts run without namespaces, so the app does too here: this table is the app's
  // own overhead (what bubblewrap adds is the sandbox package's isolation table).
  // BENCH_ISOLATION_MODE=namespaces runs the app isolated instead.
  const isolation = process.env.BENCH_ISOLATION_MODE === 'namespaces' ? 'namespaces' : 'none';
  console.log(`app isolation: '${isolation}' (the bare starts: plain node processes)`);
  const server = await startBenchServer({
    PACTOWN_HOME: home,
    PACTOWN_ISOLATION: isolation,
    PACTOWN_MAX_SERVICES: '1000',
    PACTOWN_RATE_BURST: '1000',
    PACTOWN_RATE_LIMIT: '100000',
  });
  const timedRun = async (id: string) => {
    const t0 = performance.now();
    const body = await server.post('/run', { service_id: id, content: HEALTHY_SAMPLE });
    return { ms: performance.now() - t0, ok: body.success === true };
  };
  let ok = true;
  let results: Record<string, Array<{ times: number[]; ok: number; fromSpawn?: number[]; spawnSpread?: number }>>;
  try {
    await timedRun('warmup');
    await server.post('/stop', { service_id: 'warmup' });
    results = await interleave(['app', 'bare'], rounds, async (name, round) => {
      if (name === 'bare') {
        const out = execFileSync(process.execPath, ['--import', 'tsx', BARE, String(concurrency)], {
          cwd: APP_DIR,
          encoding: 'utf8',
        });
        const { times, fromSpawn, spawnAt } = JSON.parse(out.trim().split('\n').at(-1)!) as {
          times: number[];
          fromSpawn: number[];
          spawnAt: number[];
        };
        return { times, ok: times.length, fromSpawn, spawnSpread: Math.max(...spawnAt) };
      }
      const runs = await Promise.all(Array.from({ length: concurrency }, (_, i) => timedRun(`r${round}-${i}`)));
      await Promise.all(
        Array.from({ length: concurrency }, (_, i) => server.post('/stop', { service_id: `r${round}-${i}` })),
      );
      return { times: runs.map((r) => r.ms), ok: runs.filter((r) => r.ok).length };
    });
  } finally {
    await server.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
  const medians = (name: string) => results[name]!.map((r) => median(r.times));
  printTable(
    `${concurrency} concurrent starts of the same dependency-free service; per round the median time to success, median (min–max) of ${rounds} interleaved rounds`,
    ['contender', 'succeeded (worst round)', 'median ms', 'slowest start in a round (ms)'],
    [
      [
        'app: POST /run (call -> success answer)',
        `${Math.min(...results.app!.map((r) => r.ok))}/${concurrency}`,
        range(medians('app'), 0),
        range(
          results.app!.map((r) => Math.max(...r.times)),
          0,
        ),
      ],
      [
        'bare `node server.mjs` (all asked for at once -> first HTTP 200)',
        `${Math.min(...results.bare!.map((r) => r.ok))}/${concurrency}`,
        range(medians('bare'), 0),
        range(
          results.bare!.map((r) => Math.max(...r.times)),
          0,
        ),
      ],
      [
        'bare, each from its own spawn call (informative: leaves out the wait for the spawns before it)',
        '',
        range(
          results.bare!.map((r) => median(r.fromSpawn!)),
          0,
        ),
        range(
          results.bare!.map((r) => Math.max(...r.fromSpawn!)),
          0,
        ),
      ],
    ],
  );
  printSettings({
    app: 'the built server (dist/server.js) in its own process, PACTOWN_LOG_FORMAT=json, rate limits lifted; each run writes the sandbox, starts the service and waits for its readiness; each run timed from its call (the client sends all of them at once)',
    bare: `bench/bare-starts.ts in its own process: the same server.mjs spawned in its own session, output drained, polled every 10 ms; each start timed from the moment all were asked for, as the app's calls are (a spawn blocks until its child has exec'd: the last spawn call began ${range(
      results.bare!.map((r) => r.spawnSpread!),
      0,
    )} ms after the first)`,
  });
  const app = median(medians('app'));
  const bare = median(medians('bare'));
  const allOk = results.app!.every((r) => r.ok === concurrency);
  ok =
    verdict(
      `runner overhead: app / bare starts at ${concurrency} concurrent`,
      app / bare,
      { atMost: 1.3 },
      `app ${app.toFixed(0)} ms / bare ${bare.toFixed(0)} ms`,
    ) && ok;
  ok =
    verdict(
      `concurrent runs that succeeded (share)`,
      results.app!.reduce((a, r) => a + r.ok, 0) / (concurrency * rounds),
      { atLeast: 1 },
    ) &&
    allOk &&
    ok;
  return ok;
}
