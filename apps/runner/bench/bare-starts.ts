/**
 * The floor under POST /run, in a process of its own: `concurrency` bare starts
 * of the sample service (`node server.mjs`, each in its own session with its
 * output drained, as the runner does), all asked for at once, each timed to its
 * first HTTP 200 (polled every 10 ms). Prints one JSON line: `times`, each from
 * the moment all were asked for (as the app's calls are timed, which the client
 * sends at once); `fromSpawn`, each from its own spawn call; `spawnAt`, when
 * each spawn call began. A spawn blocks until its child has exec'd, so under
 * the load of the starts before it the calls spread out, and a time taken from
 * each one's own spawn call would leave that wait out.
 *   tsx bench/bare-starts.ts <concurrency>
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { get } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { HEALTHY_SAMPLE } from '../src/demo/samples.js';
import { pickFreePort } from '../src/services/ports.js';

const concurrency = Number(process.argv[2] ?? 20);
const source = /markpact:file path=server\.mjs\n([\s\S]*?)```/.exec(HEALTHY_SAMPLE)![1]!;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pactown-bench-bare-'));
fs.writeFileSync(path.join(dir, 'server.mjs'), source);

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/health', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

const ports = await Promise.all(Array.from({ length: concurrency }, () => pickFreePort()));
const children: number[] = [];
try {
  const asked = performance.now();
  const spawnAt: number[] = [];
  const fromSpawn: number[] = [];
  const times = await Promise.all(
    ports.map(async (port) => {
      const t0 = performance.now();
      spawnAt.push(t0 - asked);
      const child = spawn(process.execPath, ['server.mjs'], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', MARKPACT_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      children.push(child.pid!);
      child.stdout!.resume();
      child.stderr!.resume();
      for (;;) {
        if (await answers(port)) {
          const now = performance.now();
          fromSpawn.push(now - t0);
          return now - asked;
        }
        if (child.exitCode !== null) throw new Error(`bare start on port ${port} exited ${child.exitCode}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }),
  );
  process.stdout.write(`${JSON.stringify({ times, fromSpawn, spawnAt })}\n`);
} finally {
  for (const pid of children) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {}
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
