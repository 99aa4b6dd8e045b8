import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { interleave, range, summary } from '../index.js';

const INDEX = fileURLToPath(new URL('../index.js', import.meta.url));

/** Runs verdicts in a fresh process with the quiet-machine thresholds from `env`; returns its stdout. */
function verdictsWith(env) {
  const script = `import { verdict, verdictValue, verdictSummary } from ${JSON.stringify(INDEX)};
verdict('ratio above', 2, { atLeast: 1.5 }, 'a 2 / b 1');
verdict('ratio below', 1, { atLeast: 1.5 });
verdictValue('value', 30, { atMost: 20 }, ' ms');
verdictSummary();`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, BENCH_CALIBRATION_MS: '', BENCH_MAX_BUSY_RUN: '1', ...env },
    encoding: 'utf8',
  });
}

test('a quiet machine gets PASS and FAIL, with the raw numbers', () => {
  const out = verdictsWith({
    BENCH_MAX_LOAD: '100000',
    BENCH_MAX_BUSY: '1',
    BENCH_CALIBRATION_MS: '100000',
    BENCH_CALIBRATION_SPREAD: '0',
  });
  assert.match(out, /^PASS ratio above: 2\.00x \(target >= 1\.5x\) \[a 2 \/ b 1\]$/m);
  assert.match(out, /^FAIL ratio below: 1\.00x \(target >= 1\.5x\)$/m);
  assert.match(out, /^FAIL value: 30\.00 ms \(target <= 20 ms\)$/m);
  assert.match(out, /verdicts: 1 PASS, 2 FAIL, 0 UNRELIABLE/);
});

test('a busy machine gets UNRELIABLE with the load, never PASS or FAIL', () => {
  // A negative load limit: any load average is too high.
  const out = verdictsWith({ BENCH_MAX_LOAD: '-1', BENCH_MAX_BUSY: '1', BENCH_MAX_SLOWDOWN: '100000' });
  assert.doesNotMatch(out, /^(PASS|FAIL) /m);
  assert.equal(out.match(/^UNRELIABLE \(load \d+\.\d\d\) /gm)?.length, 3);
  assert.match(out, /verdicts: 0 PASS, 0 FAIL, 3 UNRELIABLE/);
});

test('a calibration loop slower than its reference makes the verdict UNRELIABLE', () => {
  // A reference of 0.001 ms: no real loop runs within 1.2x of it.
  const out = verdictsWith({ BENCH_MAX_LOAD: '100000', BENCH_MAX_BUSY: '1', BENCH_CALIBRATION_MS: '0.001' });
  assert.match(out, /^UNRELIABLE .*calibration loop/m);
});

test('interleave runs every contender each round, rotating the order', async () => {
  const order = [];
  const runs = await interleave(['a', 'b', 'c'], 3, async (name, round) => {
    order.push(name);
    return `${name}${round}`;
  });
  assert.deepEqual(order, ['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
  assert.deepEqual(runs, { a: ['a0', 'a1', 'a2'], b: ['b0', 'b1', 'b2'], c: ['c0', 'c1', 'c2'] });
});

test('summary and range give the median with min and max', () => {
  assert.deepEqual(summary([5, 1, 3]), { median: 3, min: 1, max: 5, n: 3 });
  assert.equal(range([5, 1, 3], 0), '3 (1–5)');
  assert.equal(range([4.25], 1), '4.3');
});
