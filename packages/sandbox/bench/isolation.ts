/**
 * What containment costs (run: `npx tsx bench/isolation.ts`; scale rounds and bytes with BENCH_SCALE=0.1).
 * 1. Start-to-ready of a Node hello service: `startService` -> HTTP readiness, under
 *    `isolation: 'namespaces'` (bwrap, a uid of its own, rlimits, its cgroup where the machine has
 *    cgroups) against `'none'`. Target: at most 1.3x.
 * 2. Capture throughput of the same producer under both modes. Target: within 10% of `'none'`.
 * Rounds interleave the two modes (order rotating), each measured in this one process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, machineLine, median, printSettings, printTable, range, verdict } from '@pactown/bench';
import { cgroupSupport } from '../src/process/isolation/cgroups.js';
import { createServiceDir } from '../src/process/isolation/ownership.js';
import { probeBwrap } from '../src/process/isolation/probe.js';
import { silentLogger } from '../src/process/service-records.js';
import { startService } from '../src/process/service-process.js';
import { producer } from './capture.js';
import { freePort } from '@pactown/test-helpers';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const START_ROUNDS = Math.max(3, Math.round(20 * scale));
const CAPTURE_ROUNDS = Math.max(2, Math.round(5 * scale));
const BYTES = Math.max(2 ** 20, Math.round(2 ** 28 * scale));
const MiB = 2 ** 20;
const MODES = ['none', 'namespaces'] as const;
type Mode = (typeof MODES)[number];

const HELLO =
  "require('node:http').createServer((q, s) => s.end('hello')).listen(Number(process.env.PORT), '127.0.0.1');\n";

const probe = probeBwrap();
if (!probe.ok) {
  console.log(`isolation benchmark skipped: bwrap cannot create namespaces here (${probe.reason})`);
} else {
  const root = mkdtempSync(join(tmpdir(), 'pactown-bench-iso-'));
  let serial = 0;
  /** A service folder of its own (the runner's way: made in the sandbox root, handed to the service's uid). */
  const serviceDir = (): string => createServiceDir(root, `service_b${++serial}`);

  /** startService -> ready (ms). */
  const startToReady = async (isolation: Mode): Promise<number> => {
    const cwd = serviceDir();
    writeFileSync(join(cwd, 'server.js'), HELLO);
    const port = await freePort();
    const t0 = performance.now();
    const proc = startService({
      serviceId: `hello-${serial}`,
      command: 'node',
      args: ['server.js'],
      cwd,
      sandboxRoot: root,
      env: { PORT: port },
      isolation,
      logger: silentLogger,
      logOutput: false,
      stopOnExit: false,
    });
    const ready = await proc.waitReady({ http: { port, path: '/' }, timeoutMs: 30_000 });
    const ms = performance.now() - t0;
    await proc.stop({ graceMs: 2_000 });
    if (!ready.ready) throw new Error(`the hello service was not ready under ${isolation}: ${ready.reason}`);
    return ms;
  };

  /** Capture of BYTES of 100-byte lines: wall ms and this process's CPU ms. */
  const capture = async (isolation: Mode): Promise<{ ms: number; cpuMs: number; lines: number }> => {
    const cwd = serviceDir();
    let lines = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const proc = startService({
      serviceId: `capture-${serial}`,
      command: producer(BYTES),
      cwd,
      sandboxRoot: root,
      isolation,
      logger: silentLogger,
      logOutput: false,
      stopOnExit: false,
      onLog: (record) => {
        if (record.stream === 'stdout') lines++;
      },
    });
    await proc.ended;
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (lines !== Math.ceil(BYTES / 100))
      throw new Error(`${isolation}: counted ${lines} of ${Math.ceil(BYTES / 100)}`);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, lines };
  };

  try {
    console.log(machineLine());
    const cg = cgroupSupport();
    console.log(
      `isolation: ${START_ROUNDS} start rounds, ${CAPTURE_ROUNDS} capture rounds of ${(BYTES / MiB).toFixed(0)} MiB; cgroups: ${cg.version === null ? `none (${cg.reason})` : `v${cg.version}`}`,
    );
    // One warm-up of each (page cache, bwrap and node binaries).
    for (const mode of MODES) await startToReady(mode);
    const starts = await interleave([...MODES], START_ROUNDS, (mode) => startToReady(mode as Mode));
    const captures = await interleave([...MODES], CAPTURE_ROUNDS, (mode) => capture(mode as Mode));

    printTable(
      `Start-to-ready of a Node hello service (ms), median (min–max) of ${START_ROUNDS} interleaved rounds`,
      ['isolation', 'start-to-ready (ms)', 'median'],
      MODES.map((mode) => [mode, range(starts[mode]!, 1), median(starts[mode]!)]),
    );
    const capMs = (mode: Mode): number => median(captures[mode]!.map((r) => r.ms));
    printTable(
      `Capture of ${(BYTES / MiB).toFixed(0)} MiB, median (min–max) of ${CAPTURE_ROUNDS} interleaved rounds`,
      ['isolation', 'wall time (ms)', 'MiB/s', 'parent CPU (ms)'],
      MODES.map((mode) => [
        mode,
        range(
          captures[mode]!.map((r) => r.ms),
          0,
        ),
        BYTES / MiB / (capMs(mode) / 1000),
        range(
          captures[mode]!.map((r) => r.cpuMs),
          0,
        ),
      ]),
    );
    printSettings({
      service: "`node server.js` (an HTTP server answering 'hello'), readiness by HTTP GET /",
      namespaces: `bwrap with PID, IPC, UTS and mount namespaces, ${probe.perServiceUid ? 'a uid per service' : "the runner's uid"}, rlimits (DEFAULT_LIMITS)${cg.version === null ? '' : ', a cgroup per service'}`,
      none: 'a plain process in a session of its own',
      producer: '`yes <99 x> | head -c <bytes>`, counted live through onLog',
    });
    const startRatio = median(starts.namespaces!) / median(starts.none!);
    verdict(
      "start-to-ready under 'namespaces' / 'none'",
      startRatio,
      { atMost: 1.3 },
      `${median(starts.namespaces!).toFixed(1)} ms / ${median(starts.none!).toFixed(1)} ms`,
    );
    // Throughput ratio: 'namespaces' bytes per second over 'none' bytes per second.
    verdict(
      "capture throughput under 'namespaces' / 'none'",
      capMs('none') / capMs('namespaces'),
      { atLeast: 0.9 },
      `none ${capMs('none').toFixed(0)} ms / namespaces ${capMs('namespaces').toFixed(0)} ms`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
