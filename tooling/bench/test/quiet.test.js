import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { OwnLoad, spreadOf, treeTicks } from '../quiet.js';

const QUIET = fileURLToPath(new URL('../quiet.js', import.meta.url));
const cores = os.cpus().length;
const BUSY_LOOP = 'const end = Date.now() + Number(process.argv[1]); while (Date.now() < end);';

/** The machine's state as a fresh benchmark process sees it, with `env` on top of the defaults. */
function stateIn(env = {}) {
  const script = `import { machineState } from ${JSON.stringify(QUIET)};
process.stdout.write(JSON.stringify(machineState()));`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...clean, ...env },
      encoding: 'utf8',
    }),
  );
}

/** Share of all CPU the whole machine used over `ms`, from /proc/stat, with nothing of ours running. */
function machineBusy(ms) {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - f[3] - f[4], total };
  };
  const a = read();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  const b = read();
  return (b.busy - a.busy) / Math.max(1, b.total - a.total);
}

/**
 * Busy loops on every core that are not in the caller's process tree: a shell starts them in
 * the background and exits, so they belong to init (or the nearest subreaper), like another
 * user's build. Returns their pids.
 */
function foreignLoad(seconds) {
  const loops = Array.from(
    { length: cores },
    () => `${JSON.stringify(process.execPath)} -e '${BUSY_LOOP}' ${seconds * 1000} >/dev/null 2>&1 & echo $!`,
  ).join('; ');
  const out = execFileSync('/bin/sh', ['-c', loops], { encoding: 'utf8' });
  return out.trim().split(/\s+/).map(Number);
}

/** CPU ticks the processes have used so far. */
function ticksOf(pids) {
  let sum = 0;
  for (const pid of pids) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    sum += Number(f[11]) + Number(f[12]);
  }
  return sum;
}

/** All CPU ticks of the machine so far (busy and idle). */
function machineTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  return f.slice(0, 8).reduce((a, b) => a + b, 0);
}

function killAll(pids) {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}

/** A machine quiet enough to show that the check calls it quiet: under 10% busy over 2 s, load at most half the cores. */
function ambientQuiet() {
  const share = machineBusy(2000);
  const load = os.loadavg()[0];
  return { quiet: share < 0.1 && load <= cores / 2, share, load };
}

/** A check run by a process that keeps busy children of its own on every core, before and during its pause. */
function stateWithOwnLoad() {
  const script = `import { spawn } from 'node:child_process';
import { machineState } from ${JSON.stringify(QUIET)};
const kids = Array.from({ length: ${cores} }, () => spawn(process.execPath, ['-e', ${JSON.stringify(BUSY_LOOP)}, '4000']));
await new Promise((r) => setTimeout(r, 2500));
const s = machineState();
for (const k of kids) k.kill('SIGKILL');
process.stdout.write(JSON.stringify(s));`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: clean, encoding: 'utf8' }),
  );
}

test('a quiet machine is quiet, also while the benchmark’s own children are busy', async (t) => {
  const ambient = ambientQuiet();
  if (!ambient.quiet) {
    t.skip(
      `the machine is not quiet (${(100 * ambient.share).toFixed(0)}% busy over 2 s, load ${ambient.load.toFixed(2)}): nothing to show`,
    );
    return;
  }
  const s = stateIn();
  assert.equal(s.quiet, true, `quiet without load: ${s.reasons.join('; ')}`);
  const own = stateWithOwnLoad();
  assert.equal(own.quiet, true, `quiet with our own children busy: ${own.reasons.join('; ')}`);
  assert.ok(own.ownLoad > 0, 'our own children count as our own load');
});

test('the benchmark’s own busy children are not counted as other processes', async (t) => {
  // On a shared machine: others' share must stay near what the machine did without our
  // children, far from the full machine our children take.
  const ambient = machineBusy(1500);
  if (ambient > 0.6) {
    t.skip(`the machine is ${(100 * ambient).toFixed(0)}% busy without us: no room to tell our load from others'`);
    return;
  }
  const s = stateWithOwnLoad();
  assert.ok(s.busyShare < Math.min(0.9, ambient + 0.3), `others' share ${s.busyShare} (machine alone ${ambient})`);
  assert.ok(s.ownLoad > 0, 'our own children count as our own load');
});

test('on a busy machine too, the CPU of the benchmark’s own children is taken out of others’ share', async (t) => {
  // The checking process keeps busy children on every core and reads, around its check, their
  // share and the machine's: others' share must leave out most of the children's.
  const script = `import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { machineState } from ${JSON.stringify(QUIET)};
const ticks = (pid) => { const s = fs.readFileSync('/proc/' + pid + '/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return Number(f[11]) + Number(f[12]); };
const machine = () => { const f = fs.readFileSync('/proc/stat', 'utf8').split('\\n', 1)[0].trim().split(/\\s+/).slice(1).map(Number); const total = f.slice(0, 8).reduce((a, b) => a + b, 0); return { busy: total - f[3] - f[4], total }; };
const kids = Array.from({ length: ${cores} }, () => spawn(process.execPath, ['-e', ${JSON.stringify(BUSY_LOOP)}, '6000']));
await new Promise((r) => setTimeout(r, 1500));
const k0 = kids.reduce((a, k) => a + ticks(k.pid), 0), m0 = machine();
const s = machineState();
const k1 = kids.reduce((a, k) => a + ticks(k.pid), 0), m1 = machine();
for (const k of kids) k.kill('SIGKILL');
process.stdout.write(JSON.stringify({ s, kids: (k1 - k0) / (m1.total - m0.total), machine: (m1.busy - m0.busy) / (m1.total - m0.total) }));`;
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
  const r = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: clean, encoding: 'utf8' }),
  );
  if (r.kids < 0.05) {
    t.skip(`our children got ${(100 * r.kids).toFixed(0)}% of the CPU: too little to tell`);
    return;
  }
  assert.ok(
    r.s.busyShare <= r.machine - 0.7 * r.kids + 0.03,
    `others' share ${r.s.busyShare}, machine ${r.machine}, our children ${r.kids}`,
  );
  assert.ok(r.s.ownLoad > 0, 'our own children count as our own load');
});

// The synthetic load raises the load average for a minute: these come after the quiet ones.
test('busy loops of other processes on every core make the machine UNRELIABLE', () => {
  const pids = foreignLoad(30);
  try {
    // The loops are running (they are somebody else's: not our children).
    for (const pid of pids)
      assert.notEqual(Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[3]), process.pid);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    const before = { loops: ticksOf(pids), machine: machineTicks() };
    const s = stateIn();
    const after = { loops: ticksOf(pids), machine: machineTicks() };
    // The loops' own share of all CPU around the check: the check must count at least most of
    // it as others' (on a machine busy anyway, the loops get less than all of it).
    const loopsShare = (after.loops - before.loops) / (after.machine - before.machine);
    assert.equal(s.quiet, false);
    assert.ok(s.busyShare >= 0.7 * loopsShare, `others' share in the pause ${s.busyShare}, the loops' ${loopsShare}`);
    assert.ok(s.busyShare > 0.5, `others' share in the pause ${s.busyShare}`);
    assert.ok(
      s.reasons.some((r) => /other processes used \d+% of the CPU during a \d+ ms pause/.test(r)),
      s.reasons.join('; '),
    );
  } finally {
    killAll(pids);
  }
});

test('a verdict under a synthetic load on every core reads UNRELIABLE, never PASS or FAIL', () => {
  const pids = foreignLoad(30);
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1500);
    const script = `import { verdict } from ${JSON.stringify(fileURLToPath(new URL('../index.js', import.meta.url)))};
verdict('ratio', 2, { atLeast: 1.5 });`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.match(out, /^UNRELIABLE \(load \d+\.\d\d\) ratio: 2\.00x/m);
  } finally {
    killAll(pids);
  }
});

test('treeTicks counts live children and, once they are waited for, keeps their CPU', async () => {
  const child = spawn(process.execPath, ['-e', BUSY_LOOP, '1500'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 1000));
  const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const childTicks = Number(fields[11]) + Number(fields[12]);
  const selfFields = fs.readFileSync('/proc/self/stat', 'utf8');
  const sf = selfFields.slice(selfFields.lastIndexOf(')') + 2).split(' ');
  const selfTicks = Number(sf[11]) + Number(sf[12]) + Number(sf[13]) + Number(sf[14]);
  const live = treeTicks();
  assert.ok(childTicks > 0, 'the child used CPU');
  assert.ok(live >= childTicks + selfTicks, `tree ${live} >= child ${childTicks} + self ${selfTicks}`);
  await new Promise((r) => child.once('exit', r));
  assert.ok(treeTicks() >= live, 'a child that ended and was waited for stays counted');
});

test('OwnLoad ages the benchmark’s own part like the one-minute load average', async () => {
  // A part of 1.0 seeded a minute ago has decayed to about 1/e.
  const aged = new OwnLoad(process.pid, 1, Date.now() - 60_000);
  assert.ok(Math.abs(aged.value - Math.exp(-1)) < 0.01, String(aged.value));
  // A busy child for about a second raises the part from 0.
  const own = new OwnLoad();
  const child = spawn(process.execPath, ['-e', BUSY_LOOP, '1000'], { stdio: 'ignore' });
  await new Promise((r) => child.once('exit', r));
  const { value } = own.update();
  assert.ok(value > 0, `own load after a busy child: ${value}`);
  assert.ok(value < 1, `a second of one core is a small part of a minute's average: ${value}`);
});

test('spreadOf gives the median and a robust spread that ignores one outlier', () => {
  const s = spreadOf([10, 10.2, 9.8, 10.1, 9.9, 10, 40]);
  assert.equal(s.median, 10);
  assert.ok(s.spread > 0 && s.spread < 0.03, String(s.spread));
});
