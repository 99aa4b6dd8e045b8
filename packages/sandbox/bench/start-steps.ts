/**
 * Where a start's time goes (run: `npx tsx bench/start-steps.ts`; rounds with BENCH_ROUNDS, default 30).
 * 1. Our own preparation, step by step, as `prepareStart` runs it (median µs of wall time, in this process).
 * 2. A Node hello service started with `startService` under `'none'` and `'namespaces'`, rounds
 *    interleaved: the moments (ms after the call) when `startService` returned, node's process began
 *    (its `performance.timeOrigin`), its script ran, it listened, its first line reached us, and
 *    `waitReady` said ready. The child reports its moments on the wall clock, so the launcher chain
 *    (shell, bwrap, prlimit, setpriv) shows as the gap before node's own start.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave, median, printTable } from '@pactown/bench';
import { freePort } from '@pactown/test-helpers';
import { ServiceCgroup, cgroupSupport } from '../src/process/isolation/cgroups.js';
import { buildLaunch } from '../src/process/isolation/launch.js';
import { DEFAULT_LIMITS } from '../src/process/isolation/limits.js';
import { resolveIsolation } from '../src/process/isolation/mode.js';
import { createServiceDir, handOverServiceDir } from '../src/process/isolation/ownership.js';
import { environmentPaths, prepareStart } from '../src/process/isolation/prepare.js';
import { probeBwrap } from '../src/process/isolation/probe.js';
import { UidPool } from '../src/process/isolation/uid-pool.js';
import { buildEnv } from '../src/process/env.js';
import { silentLogger } from '../src/process/service-records.js';
import { startService } from '../src/process/service-process.js';

const ROUNDS = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 30));
const MODES = ['none', 'namespaces'] as const;
type Mode = (typeof MODES)[number];

// Wall-clock moments (ms since the epoch, fractions kept) of the child's own start, script and listen.
const HELLO = `const at = () => (performance.timeOrigin + performance.now()).toFixed(3);
console.log('script ' + performance.timeOrigin.toFixed(3) + ' ' + at());
require('node:http').createServer((q, s) => s.end('hello'))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening ' + at()));
`;

const probe = probeBwrap();
if (!probe.ok) {
  console.log(`start-steps benchmark skipped: bwrap cannot create namespaces here (${probe.reason})`);
} else {
  const root = mkdtempSync(join(tmpdir(), 'pactown-bench-steps-'));
  let serial = 0;
  const serviceDir = (): string => createServiceDir(root, `service_s${++serial}`);
  const wall = (): number => performance.timeOrigin + performance.now();

  /** Median µs of `fn` over ROUNDS calls, each on fresh input from `setup`. */
  const timeStep = <T>(setup: () => T, fn: (input: T) => unknown, teardown?: (out: unknown) => void): number => {
    const times: number[] = [];
    for (let i = 0; i < ROUNDS + 2; i++) {
      const input = setup();
      const t0 = performance.now();
      const out = fn(input);
      const us = (performance.now() - t0) * 1000;
      teardown?.(out);
      if (i >= 2) times.push(us); // two warm-up calls
    }
    return median(times);
  };

  try {
    console.log(
      `start steps: ${ROUNDS} rounds; cgroups: ${cgroupSupport().version === null ? 'none' : `v${cgroupSupport().version}`}`,
    );
    const pool = new UidPool();
    const prep: [string, number][] = [
      [
        'buildEnv (allow-list)',
        timeStep(
          () => null,
          () => buildEnv({ env: { PORT: 1 } }),
        ),
      ],
      [
        'resolveIsolation (cached probe)',
        timeStep(
          () => null,
          () => resolveIsolation('namespaces'),
        ),
      ],
      [
        'uid pick (UidPool.acquire)',
        timeStep(
          () => null,
          () => pool.acquire('s'),
          (lease) => (lease as { release(): void }).release(),
        ),
      ],
      [
        'service folder to its uid (realpath + handOverServiceDir)',
        timeStep(serviceDir, (cwd) => {
          realpathSync(cwd);
          handOverServiceDir(root, cwd, { uid: 200_000, gid: 200_000 });
        }),
      ],
      ['environmentPaths', timeStep(serviceDir, (cwd) => environmentPaths(cwd, undefined))],
      [
        'buildLaunch (mount and env arguments)',
        timeStep(serviceDir, (cwd) =>
          buildLaunch({
            file: 'node',
            args: ['server.js'],
            cwd,
            env: buildEnv({ env: { PORT: 1 } }),
            identity: { uid: 200_000, gid: 200_000 },
            limits: DEFAULT_LIMITS,
            bwrap: probe.bwrap!,
          }),
        ),
      ],
      [
        'cgroup made, limits written (ServiceCgroup.create)',
        timeStep(
          () => null,
          () => ServiceCgroup.create('steps', DEFAULT_LIMITS),
          (cg) => void (cg as ServiceCgroup | null)?.remove(),
        ),
      ],
    ];
    for (const mode of MODES) {
      prep.push([
        `prepareStart, all of it ('${mode}')`,
        timeStep(
          serviceDir,
          (cwd) =>
            prepareStart({
              serviceId: 'steps',
              file: 'node',
              args: ['server.js'],
              cwd,
              env: buildEnv({ env: { PORT: 1 } }),
              options: { isolation: mode },
              sandboxRoot: root,
            }),
          (p) => {
            const prepared = p as ReturnType<typeof prepareStart>;
            prepared.lease?.release();
            void prepared.cgroup?.remove();
          },
        ),
      ]);
    }
    printTable(
      `Our preparation of one start, median of ${ROUNDS} calls (µs)`,
      ['step', 'µs'],
      prep.map(([s, us]) => [s, us]),
    );

    /** One start: the moments in ms after the startService call. */
    const start = async (isolation: Mode): Promise<Record<string, number>> => {
      const cwd = serviceDir();
      writeFileSync(join(cwd, 'server.js'), HELLO);
      const port = await freePort();
      const seen: Record<string, number> = {};
      const t0 = wall();
      const proc = startService({
        serviceId: `steps-${serial}`,
        command: 'node',
        args: ['server.js'],
        cwd,
        sandboxRoot: root,
        env: { PORT: port },
        isolation,
        logger: silentLogger,
        logOutput: false,
        stopOnExit: false,
        onLog: (record) => {
          if (record.stream !== 'stdout') return;
          const [what, ...at] = record.message.split(' ');
          if (what === 'script') {
            seen.firstLineHere = wall() - t0;
            seen.nodeBegan = Number(at[0]) - t0;
            seen.scriptRan = Number(at[1]) - t0;
          } else if (what === 'listening') seen.listening = Number(at[0]) - t0;
        },
      });
      seen.returned = wall() - t0;
      const ready = await proc.waitReady({ http: { port, path: '/' }, timeoutMs: 30_000 });
      seen.ready = wall() - t0;
      await proc.stop({ graceMs: 2_000 });
      if (!ready.ready) throw new Error(`not ready under ${isolation}: ${ready.reason}`);
      return seen;
    };
    for (const mode of MODES) await start(mode);
    const runs = await interleave([...MODES], ROUNDS, (mode) => start(mode as Mode));
    const moments = ['returned', 'nodeBegan', 'scriptRan', 'firstLineHere', 'listening', 'ready'];
    const labels: Record<string, string> = {
      returned: 'startService returned (preparation + spawn)',
      nodeBegan: "node's process began (timeOrigin)",
      scriptRan: 'its script ran',
      firstLineHere: 'its first line reached us',
      listening: 'it listened',
      ready: 'waitReady said ready',
    };
    const m = (mode: Mode, key: string): number => median(runs[mode]!.map((r) => r[key]!));
    printTable(
      `Moments of a start, ms after the startService call, median of ${ROUNDS} interleaved rounds`,
      ['moment', 'none', 'namespaces', 'difference'],
      moments.map((key) => [labels[key]!, m('none', key), m('namespaces', key), m('namespaces', key) - m('none', key)]),
    );
    const steps = (mode: Mode): number[] => {
      const r = runs[mode]!;
      return [
        median(r.map((x) => x.returned!)),
        median(r.map((x) => x.nodeBegan! - x.returned!)),
        median(r.map((x) => x.listening! - x.nodeBegan!)),
        median(r.map((x) => x.ready! - x.listening!)),
      ];
    };
    const names = [
      'preparation + spawn call',
      'launcher chain until node began',
      'node until listening',
      'listening until ready',
    ];
    const none = steps('none');
    const ns = steps('namespaces');
    printTable(
      'Steps of a start, median ms of each step',
      ['step', 'none', 'namespaces', 'difference'],
      names.map((name, i) => [name, none[i]!, ns[i]!, ns[i]! - none[i]!]),
    );
    console.log(
      `start-to-ready: none ${m('none', 'ready').toFixed(1)} ms, namespaces ${m('namespaces', 'ready').toFixed(1)} ms, ${(m('namespaces', 'ready') / m('none', 'ready')).toFixed(2)}x`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
