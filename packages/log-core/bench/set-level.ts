// Cost of setLevel on a parent of 10,100 named loggers (10,000 of them with a pino child), in a
// process of its own: tsx bench/set-level.ts <rounds>
// Reports {"ms": [every round's ms]} as one JSON line on stdout; the level is switched between
// DEBUG and ERROR each round, and a descendant is checked to have followed.
import { writeReport } from '@pactown/bench/children';
import { getLogger } from '../src/index.js';

const rounds = Number(process.argv[2] ?? 21);
const top = getLogger('benchtree');
for (let i = 0; i < 10_000; i++) getLogger(`benchtree.s${i % 100}.l${i}`).child({ i });
const ms: number[] = [];
for (let round = 0; round < rounds; round++) {
  const t0 = process.hrtime.bigint();
  top.setLevel(round % 2 ? 'DEBUG' : 'ERROR');
  ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
const want = rounds % 2 ? 50 : 20;
if (getLogger('benchtree.s7.l107').getEffectiveLevel() !== want) throw new Error('setLevel did not reach a descendant');
await writeReport({ ms });
process.exit(0);
