import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { median, percentile, printTable, verdict } from '@pactown/bench';
import { ServiceRunner } from '@pactown/sandbox';
import { HEALTHY_SAMPLE } from '../src/demo/samples.js';
import { pickFreePort } from '../src/services/ports.js';
import { startBenchServer } from './server.js';

/**
 * 20 concurrent POST /run of a dependency-free service against single runs
 * on the same server: all must succeed, and the median concurrent time to
 * success must stay within 1.5x of a single run's.
 */
export async function benchConcurrentRuns(concurrency = 20, singles = 5): Promise<boolean> {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'pactown-bench-runs-'));
  const server = await startBenchServer({
    PACTOWN_HOME: home,
    PACTOWN_MAX_SERVICES: '1000',
    PACTOWN_RATE_BURST: '1000',
    PACTOWN_RATE_LIMIT: '100000',
  });
  const timedRun = async (id: string) => {
    const t0 = performance.now();
    const body = await server.post('/run', { service_id: id, content: HEALTHY_SAMPLE });
    return { ms: performance.now() - t0, ok: body.success === true };
  };
  try {
    await timedRun('warmup');
    await server.post('/stop', { service_id: 'warmup' });
    const single: number[] = [];
    for (let i = 0; i < singles; i++) {
      const r = await timedRun(`single-${i}`);
      if (!r.ok) throw new Error(`single run ${i} failed`);
      single.push(r.ms);
      await server.post('/stop', { service_id: `single-${i}` });
    }
    const parallel = await Promise.all(Array.from({ length: concurrency }, (_, i) => timedRun(`par-${i}`)));
    const ok = parallel.filter((r) => r.ok).length;
    const times = parallel.map((r) => r.ms);
    await Promise.all(Array.from({ length: concurrency }, (_, i) => server.post('/stop', { service_id: `par-${i}` })));
    const direct = await directRunner(concurrency, singles, home);
    printTable(`POST /run: ${concurrency} concurrent vs one at a time (dependency-free Node service)`, ['case', 'runs', 'succeeded', 'median ms', 'p90 ms', 'max ms'], [
      ['app: one at a time', singles, singles, median(single), percentile(single, 90), Math.max(...single)],
      [`app: ${concurrency} concurrent`, concurrency, ok, median(times), percentile(times, 90), Math.max(...times)],
      ['ServiceRunner alone: one at a time', singles, direct.singleOk, median(direct.single), percentile(direct.single, 90), Math.max(...direct.single)],
      [`ServiceRunner alone: ${concurrency} concurrent`, concurrency, direct.parallelOk, median(direct.parallel), percentile(direct.parallel, 90), Math.max(...direct.parallel)],
    ]);
    verdict('app / ServiceRunner alone, median of the concurrent runs', median(times) / median(direct.parallel), { atMost: 1.2 });
    const allOk = ok === concurrency;
    console.log(`${allOk ? 'PASS' : 'MISS'} all ${concurrency} concurrent runs succeeded (${ok}/${concurrency})`);
    return verdict(`median concurrent / single time to success`, median(times) / median(single), { atMost: 1.5 }) && allOk;
  } finally {
    await server.stop();
    await fs.rm(home, { recursive: true, force: true });
  }
}

/** The same runs straight on `ServiceRunner` (no HTTP, no policy, no logging): the floor the app builds on. */
async function directRunner(concurrency: number, singles: number, home: string) {
  const runner = new ServiceRunner({ sandboxesDir: path.join(home, 'direct') });
  const timed = async (id: string) => {
    const t0 = performance.now();
    const r = await runner.runFromContent({ serviceId: id, content: HEALTHY_SAMPLE, port: await pickFreePort() });
    return { ms: performance.now() - t0, ok: r.success };
  };
  try {
    await timed('warmup');
    const single: number[] = [];
    let singleOk = 0;
    for (let i = 0; i < singles; i++) {
      const r = await timed(`single-${i}`);
      single.push(r.ms);
      if (r.ok) singleOk++;
      await runner.stop(`single-${i}`);
    }
    const results = await Promise.all(Array.from({ length: concurrency }, (_, i) => timed(`par-${i}`)));
    return { single, singleOk, parallel: results.map((r) => r.ms), parallelOk: results.filter((r) => r.ok).length };
  } finally {
    await runner.close();
  }
}
