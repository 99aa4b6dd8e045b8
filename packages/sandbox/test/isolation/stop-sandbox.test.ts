import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopSandbox } from '../../src/process/isolation/stop-sandbox.js';
import { namespaceMembers, sandboxInit } from '../../src/process/isolation/tree.js';
import { liveUids } from '../../src/process/isolation/uid-pool.js';
import { probe, serviceDir, shellPlan, world } from './helpers.js';

function logSink(serviceId: string) {
  const lines: string[] = [];
  return { lines, log: { serviceId, system: (_level: string, message: string) => lines.push(message) } };
}

async function startSandboxed(plan: { file: string; args: string[]; env: Record<string, string> }) {
  const child = spawn(plan.file, plan.args, { env: plan.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  // The script says "ready" once its whole tree is up.
  let out = '';
  await new Promise<void>((resolve) =>
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('ready')) resolve();
    }),
  );
  return { child, ended };
}

describe.skipIf(!probe.ok)('stopping a sandboxed service', () => {
  let w: Awaited<ReturnType<typeof world>>;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.remove();
  });

  it('SIGTERM reaches every process of the namespace, a grandchild in its own session included', async () => {
    const lease = w.pool.acquire('polite');
    const dir = serviceDir(w.sandboxes, 'service_polite', lease);
    const { child, ended } = await startSandboxed(
      shellPlan(
        dir,
        "setsid sh -c 'touch a; exec sleep 1000' & sh -c 'touch b; exec sleep 1000' & while [ ! -e a ] || [ ! -e b ]; do sleep 0.01; done; echo ready; wait",
        { lease },
      ),
    );
    const init = sandboxInit(child.pid!);
    expect(init).not.toBeNull();
    expect(namespaceMembers(init!).length).toBeGreaterThanOrEqual(4); // init, sh, two sleeps
    const { lines, log } = logSink('polite');
    const outcome = await stopSandbox({ bwrapPid: child.pid!, graceMs: 3_000, log, leaderEnded: ended });
    expect(outcome.terminated).toHaveLength(3); // the script's sh and both children
    expect(outcome.killed).toEqual([]);
    expect(outcome.leftovers).toBe(false);
    expect(namespaceMembers(init!)).toEqual([]);
    expect(liveUids().has(lease.uid)).toBe(false);
    expect(lines).toEqual([
      'Stopping service polite',
      'Sent SIGTERM to 3 processes of the sandbox',
      'Service polite stopped',
    ]);
    lease.release();
  });

  it('SIGKILL after the grace period ends what ignores SIGTERM, and says what it had to kill', async () => {
    const lease = w.pool.acquire('stubborn');
    const dir = serviceDir(w.sandboxes, 'service_stubborn', lease);
    const { child, ended } = await startSandboxed(
      shellPlan(dir, "trap '' TERM; (trap '' TERM; exec setsid sleep 1000) & echo ready; while :; do sleep 1; done", {
        lease,
      }),
    );
    const { lines, log } = logSink('stubborn');
    const started = Date.now();
    const outcome = await stopSandbox({ bwrapPid: child.pid!, graceMs: 300, log, leaderEnded: ended });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(outcome.killed.map((p) => p.name)).toEqual(expect.arrayContaining(['sh']));
    expect(outcome.leftovers).toBe(false);
    expect(lines.join('\n')).toMatch(/still running after 300ms: sent SIGKILL to .*sh\[\d+\]/);
    expect(liveUids().has(lease.uid)).toBe(false);
    expect((await ended).signal ?? (await ended).code).toBeTruthy();
    lease.release();
  });
});
