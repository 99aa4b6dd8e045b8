import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@pactown/test-helpers';
import { groupAlive } from '../../src/process/group.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'process', 'exit-with-log-core.ts');
const TSX = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

describe("log-core's handleExit() and sandbox in one process", () => {
  it.each(['namespaces', 'none'] as const)(
    'SIGTERM stops the services, flushes the handlers and ends the process (isolation %s)',
    async (isolation) => {
      const logFile = join(dir.path, `app-${isolation}.log`);
      // Its own session, so that the signal below reaches the program alone (tsx forwards it to its child).
      const child = spawn(TSX, [FIXTURE, logFile, isolation], {
        cwd: dir.path,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (t: string) => {
        out += t;
      });
      const servicePid = await new Promise<number>((resolve, reject) => {
        child.stdout.on('data', (t: string) => {
          out += t;
          const m = /PID (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        child.once('exit', () => reject(new Error(`ended before the service was up:\n${out}`)));
      });
      const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      );
      child.kill('SIGTERM');
      const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
      const exit = await ended;
      clearTimeout(timer);
      // It ended through the signal (not our SIGKILL), after the service had got SIGTERM and was gone.
      expect(exit.signal === 'SIGTERM' || exit.code === 143, `${JSON.stringify(exit)}\n${out}`).toBe(true);
      expect(out).toContain('[stdout] service got SIGTERM');
      expect(groupAlive(servicePid)).toBe(false);
      // The file handler was flushed.
      const logged = await readFile(logFile, 'utf8');
      expect(logged).toContain('before the signal');
      expect(logged).toContain('service got SIGTERM');
    },
    60_000,
  );
});
