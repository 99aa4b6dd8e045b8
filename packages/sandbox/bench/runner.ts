/**
 * Service runner benchmarks (run: `npx tsx bench/runner.ts`, scale with BENCH_SCALE=0.5).
 * 1. runFromContent of a dependency-free Node server, call -> success, against the same
 *    server started directly with `node server.js` and polled the same way.
 * 2. A service whose npm dependencies are cached (hit) against the first one (miss).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineLine, median, printTable, verdict } from '@pactown/bench';
import { silentLogger } from '../src/process/service-records.js';
import { waitForHttp } from '../src/process/readiness.js';
import { ServiceRunner } from '../src/runner/service-runner.js';
import { freePort } from '@pactown/test-helpers';

// The runner's own overhead is measured against a plain start of the same server, so both run
// without namespaces; what bubblewrap adds is bench/isolation.ts's table. BENCH_ISOLATION_MODE=namespaces
// runs the runner isolated instead (the ratio then holds both).
const ISOLATION = process.env.BENCH_ISOLATION_MODE === 'namespaces' ? 'namespaces' : 'none';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const startRounds = Math.max(3, Math.round(15 * scale));
const cacheRounds = Math.max(1, Math.round(3 * scale));

const SERVER = `const http = require('node:http');
http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
`;
const MARKDOWN = `\`\`\`javascript markpact:file path=server.js\n${SERVER}\`\`\`\n\`\`\`bash markpact:run\nnode server.js\n\`\`\`\n`;
const WITH_DEPS = `\`\`\`javascript markpact:deps\nms@2.1.3\n\`\`\`\n\`\`\`javascript markpact:file path=server.js\nrequire('ms');\n${SERVER}\`\`\`\n`;

async function direct(dir: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  // Like the runner: a small environment and a session of its own (with Linux autogroup
  // scheduling a new session gets its own CPU share on a loaded host, so this matters).
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port) };
  const child = spawn('node', ['server.js'], { cwd: dir, env, stdio: 'ignore', detached: true });
  const outcome = await waitForHttp({ port, path: '/health', timeoutMs: 10_000 });
  const ms = performance.now() - t0;
  process.kill(-child.pid!, 'SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  if (!outcome.done) throw new Error('direct start did not become ready');
  return ms;
}

async function viaRunner(runner: ServiceRunner, content: string, id: string): Promise<number> {
  const port = await freePort();
  const t0 = performance.now();
  const result = await runner.runFromContent({ serviceId: id, content, port, timeoutMs: 60_000 });
  const ms = performance.now() - t0;
  if (!result.success) throw new Error(`${id}: ${result.message}\n${result.stderrOutput}`);
  await runner.stop(id);
  return ms;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'pactown-bench-runner-'));
  try {
    const plain = join(root, 'plain');
    await mkdir(plain);
    await writeFile(join(plain, 'server.js'), SERVER);
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'sandboxes'), logger: silentLogger, isolation: ISOLATION });
    await direct(plain);
    await viaRunner(runner, MARKDOWN, 'warmup');
    const directMs: number[] = [];
    const runnerMs: number[] = [];
    // Alternate which goes first, so neither always follows the other's cleanup.
    for (let i = 0; i < startRounds; i++) {
      if (i % 2 === 0) directMs.push(await direct(plain));
      runnerMs.push(await viaRunner(runner, MARKDOWN, 'plain'));
      if (i % 2 === 1) directMs.push(await direct(plain));
    }
    await runner.close();

    const missMs: number[] = [];
    const hitMs: number[] = [];
    for (let i = 0; i < cacheRounds; i++) {
      const cached = new ServiceRunner({ sandboxesDir: join(root, `deps-${i}`), logger: silentLogger, isolation: ISOLATION });
      missMs.push(await viaRunner(cached, WITH_DEPS, 'first'));
      hitMs.push(await viaRunner(cached, WITH_DEPS, 'second'));
      await cached.close();
    }

    console.log(machineLine());
    console.log(`runner isolation: '${ISOLATION}' (the direct start runs the same server without a runner)`);
    printTable(
      `Node server, call -> ready (median of ${startRounds})`,
      ['how', 'median ms', 'min ms', 'max ms'],
      [
        ['node server.js + same polling', median(directMs), Math.min(...directMs), Math.max(...directMs)],
        ['ServiceRunner.runFromContent', median(runnerMs), Math.min(...runnerMs), Math.max(...runnerMs)],
      ],
    );
    printTable(
      `Service with one npm dependency, call -> ready (median of ${cacheRounds})`,
      ['cache', 'median ms', 'min ms', 'max ms'],
      [
        ['miss (npm install)', median(missMs), Math.min(...missMs), Math.max(...missMs)],
        ['hit (linked from cache)', median(hitMs), Math.min(...hitMs), Math.max(...hitMs)],
      ],
    );
    verdict('runFromContent / direct node start', median(runnerMs) / median(directMs), { atMost: 1.3 });
    verdict('cache hit / cache miss', median(hitMs) / median(missMs), { atMost: 0.2 });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
