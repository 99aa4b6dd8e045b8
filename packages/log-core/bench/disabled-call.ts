// Cost of one call below the level, for one contender per process.
// Usage: tsx bench/disabled-call.ts <contender> <calls> <rounds>
// Reports {"contender": ..., "ns": <median ns/call>, "rounds": [ns/call of every round]} as one
// JSON line on stdout (the harness's report protocol).
//
// Each contender runs in a fresh process so that none inherits another's JIT
// state: with one loop function shared by all, whichever ran first was inlined
// down to nothing and the next paid for a call site V8 had given up on.
import { median } from '@pactown/bench';
import { writeReport } from '@pactown/bench/children';

const CONTENDERS = ['pino', 'pino-child', 'log-core', 'log-core-child'] as const;
type Contender = (typeof CONTENDERS)[number];

async function makeCall(contender: Contender): Promise<() => void> {
  if (contender === 'pino' || contender === 'pino-child') {
    const { default: pino } = await import('pino');
    const root = pino({ level: 'info' }, { write() {} });
    const log = contender === 'pino' ? root : root.child({ service: 'x' });
    return () => log.debug({ a: 1 }, 'hidden');
  }
  const { getLogger } = await import('../src/index.js');
  const named = getLogger('bench.disabled');
  named.setLevel('INFO');
  const log = contender === 'log-core' ? named : named.child({ service: 'x' });
  return () => log.debug({ a: 1 }, 'hidden');
}

/** Warm-up until V8 has finished optimising the loop: at least this many rounds and this long. */
const WARMUP_ROUNDS = 5;
const WARMUP_MS = 500;

function timeRound(call: () => void, calls: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) call();
  return Number(process.hrtime.bigint() - t0) / calls;
}

/** ns per call of each of `rounds` timed rounds, after the warm-up. */
function nsPerCall(call: () => void, calls: number, rounds: number): number[] {
  const start = performance.now();
  for (let i = 0; i < WARMUP_ROUNDS || performance.now() - start < WARMUP_MS; i++) timeRound(call, calls);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) times.push(timeRound(call, calls));
  return times;
}

async function main(): Promise<void> {
  const [name, callsArg, roundsArg] = process.argv.slice(2);
  if (!CONTENDERS.includes(name as Contender))
    throw new Error(`unknown contender ${String(name)}; expected one of ${CONTENDERS.join(', ')}`);
  const calls = Number(callsArg ?? 10_000_000);
  const rounds = Number(roundsArg ?? 5);
  const times = nsPerCall(await makeCall(name as Contender), calls, rounds);
  await writeReport({ contender: name, ns: median(times), rounds: times });
  process.exit(0);
}

await main();
