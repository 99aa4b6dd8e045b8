import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, freePort, tempDir } from '@pactown/test-helpers';
import { ServiceRunner } from '../../src/runner/service-runner.js';
import type { RunResult } from '../../src/runner/types.js';

/**
 * A Node server that listens only once the file `GATE` names exists: its run
 * cannot become ready before the test opens the gate.
 */
const GATED_SERVER = `const http = require('node:http');
const fs = require('node:fs');
const listen = () => http.createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');
const check = () => (fs.existsSync(process.env.GATE) ? listen() : setTimeout(check, 10));
check();
`;
const PLAIN_SERVER = `require('node:http').createServer((req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n`;

let root: string;
let rootDir: TempDir;
beforeAll(async () => {
  rootDir = await tempDir('pactown-runner-conc-');
  root = rootDir.path;
});
afterAll(async () => {
  await rootDir.remove();
});

describe('ServiceRunner with many services at once', () => {
  it('runs different service ids side by side: all 20 processes start before any becomes ready', async () => {
    // The gate file lies outside every sandbox, where an isolated service cannot see it.
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'overlap'), isolation: 'none' });
    const gate = join(root, 'go');
    const count = 20;
    const started = new Set<string>();
    let ready = 0;
    let allStarted!: () => void;
    const everyoneStarted = new Promise<void>((resolve) => {
      allStarted = resolve;
    });
    try {
      const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
      const runs = ports.map((port, i) =>
        runner.runFromContent({
          serviceId: `overlap-${i}`,
          content: { files: { 'server.js': GATED_SERVER }, run: 'node server.js' },
          port,
          env: { GATE: gate },
          timeoutMs: 120_000,
          onLog: ({ message }) => {
            if (message.startsWith('✓ Server responding')) ready++;
            if (message.startsWith('Process started with PID:')) {
              started.add(`overlap-${i}`);
              if (started.size === count) allStarted();
            }
          },
        }),
      );
      // With the runs of different ids serialised, the second process could only start after the
      // first became ready, which the closed gate prevents: this wait would never end.
      let guard: NodeJS.Timeout | undefined;
      const stuck = new Promise<never>((_, reject) => {
        guard = setTimeout(
          () =>
            reject(
              new Error(
                `only ${started.size} of ${count} processes started while none could become ready: runs are serialised`,
              ),
            ),
          60_000,
        );
      });
      await Promise.race([everyoneStarted, stuck]).finally(() => clearTimeout(guard));
      expect(ready).toBe(0);
      await writeFile(gate, '');
      const results: RunResult[] = await Promise.all(runs);
      expect(results.map((r) => r.success)).toEqual(Array(count).fill(true));
      expect(ready).toBe(count);
    } finally {
      await runner.close();
    }
  }, 150_000);

  it('adds no listener per run to a shared signal: 15 runs at once emit no MaxListenersExceededWarning', async () => {
    const runner = new ServiceRunner({ sandboxesDir: join(root, 'listeners') });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const ports = await Promise.all(Array.from({ length: 15 }, () => freePort()));
      const results = await Promise.all(
        ports.map((port, i) =>
          runner.runFromContent({
            serviceId: `many-${i}`,
            content: { files: { 'server.js': PLAIN_SERVER }, run: 'node server.js' },
            port,
            timeoutMs: 120_000,
          }),
        ),
      );
      expect(results.every((r) => r.success)).toBe(true);
      await runner.close();
      // Warnings are emitted on the next tick: let any pending one arrive before looking.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await runner.close();
    }
  }, 150_000);
});
