import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { reportOf, stopChild, track } from '../children.js';

const CHILDREN = fileURLToPath(new URL('../children.js', import.meta.url));

function node(code, stdio = ['ignore', 'pipe', 'inherit']) {
  return track(spawn(process.execPath, ['--input-type=module', '-e', code], { stdio }));
}

/** Whether a pid is a running process (a zombie or a missing pid is not). */
function running(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(check, ms = 5000) {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  return check();
}

test('a contender that reports a large line and exits at once is not an error', async () => {
  // Far more than a pipe holds: the child has exited long before the harness has read it all.
  const code = `import { writeReport } from ${JSON.stringify(CHILDREN)};
await writeReport({ ticks: Array.from({ length: 200000 }, (_, i) => i) });
process.exit(0);`;
  for (let i = 0; i < 3; i++) {
    const child = node(code);
    const report = await reportOf(child, 'contender');
    assert.equal(report.ticks.length, 200000);
    assert.equal(report.ticks[199999], 199999);
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r()));
    assert.equal(child.exitCode, 0);
  }
});

test('a contender that stays alive after its report is read, then stopped', async () => {
  const child = node(`process.stdout.write(JSON.stringify({ port: 1 }) + '\\n'); setInterval(() => {}, 1000);`);
  assert.deepEqual(await reportOf(child, 'sink'), { port: 1 });
  await stopChild(child);
  assert.equal(running(child.pid), false);
});

test('a contender that exits without a complete report line gives a clear error', async () => {
  const child = node(`process.stdout.write('{"half":'); process.exitCode = 3;`);
  await assert.rejects(
    reportOf(child, 'pino-loki'),
    /^Error: pino-loki exited \(3\) before reporting; it wrote 8 characters/,
  );
  const silent = node('process.exit(0)');
  await assert.rejects(reportOf(silent, 'winston-loki'), /winston-loki exited \(0\) before reporting$/);
});

/** A harness that starts a long-lived sink, prints the sink's pid, then does `then`. */
function harness(then) {
  const code = `import { spawn } from 'node:child_process';
import { track } from ${JSON.stringify(CHILDREN)};
const sink = track(spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
process.stdout.write(sink.pid + '\\n');
${then}`;
  return spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
}

async function sinkPidOf(h) {
  let out = '';
  for await (const chunk of h.stdout) {
    out += chunk;
    if (out.includes('\n')) break;
  }
  return Number(out.trim());
}

for (const [name, then, signal] of [
  ['throws', "setTimeout(() => { throw new Error('boom'); }, 100);", undefined],
  ['rejects', "setTimeout(() => Promise.reject(new Error('boom')), 100);", undefined],
  ['gets SIGINT', 'setInterval(() => {}, 1000);', 'SIGINT'],
  ['gets SIGTERM', 'setInterval(() => {}, 1000);', 'SIGTERM'],
  ['calls process.exit', 'setTimeout(() => process.exit(0), 100);', undefined],
]) {
  test(`a harness that ${name} leaves no child running`, async () => {
    const h = harness(then);
    const pid = await sinkPidOf(h);
    assert.ok(running(pid), 'the sink runs while the harness does');
    const exited = new Promise((r) => h.once('exit', (code, sig) => r({ code, sig })));
    if (signal) h.kill(signal);
    const { code } = await exited;
    if (signal) assert.equal(code, 128 + (signal === 'SIGINT' ? 2 : 15));
    assert.equal(await until(() => !running(pid)), true, `sink ${pid} still running`);
  });
}
