import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const RUN_ALL = fileURLToPath(new URL('../run-all.js', import.meta.url));
const INDEX = fileURLToPath(new URL('../index.js', import.meta.url));

/** A repository of its own with packages whose bench scripts are real node programs. */
function repository(benches) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-run-all-'));
  fs.writeFileSync(path.join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
  for (const [dir, code] of Object.entries(benches)) {
    fs.mkdirSync(path.join(root, dir), { recursive: true });
    fs.writeFileSync(path.join(root, dir, 'bench.mjs'), code);
    fs.writeFileSync(
      path.join(root, dir, 'package.json'),
      JSON.stringify({ name: path.basename(dir), scripts: { bench: 'node bench.mjs' } }),
    );
  }
  return root;
}

function runAll(root, env = {}, args = []) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BENCH_')));
  const child = spawn(process.execPath, [RUN_ALL, ...args], {
    env: { ...clean, BENCH_ROOT: root, BENCH_MAX_LOAD: '100000', BENCH_MAX_BUSY: '1', BENCH_MAX_BUSY_RUN: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d) => {
    out += d;
  });
  child.stderr.resume();
  const done = new Promise((resolve) => child.once('close', (code) => resolve({ code, out: () => out })));
  return { child, done, out: () => out };
}

const verdictBench = (what) => `import { verdict, verdictSummary } from ${JSON.stringify(INDEX)};
console.log('scale', process.env.BENCH_SCALE ?? 'unset', 'own load', process.env.BENCH_RUN_OWN_LOAD !== undefined);
verdict(${JSON.stringify(what)}, 2, { atLeast: 1.5 }, 'a 2 / b 1');
verdictSummary();
`;

test('runs each package in the plan order with its settings, and collects one row per verdict', async () => {
  const root = repository({
    'packages/loki-transport': verdictBench('loki ratio'),
    'packages/sandbox': verdictBench('sandbox ratio'),
  });
  try {
    const { done } = runAll(root);
    const { code, out } = await done;
    const text = out();
    assert.equal(code, 0, text);
    // The plan's order: sandbox before loki-transport; the sandbox's plan sets BENCH_SCALE=0.5.
    assert.ok(text.indexOf('## packages/sandbox') < text.indexOf('## packages/loki-transport'));
    assert.match(text, /## packages\/sandbox\n\n[\s\S]*?scale 0\.5 own load true/);
    const results = fs.readFileSync(path.join(root, 'bench-results.md'), 'utf8');
    assert.match(
      results,
      /^\| sandbox ratio \(>= 1\.5x\) \| 2\.00x \[a 2 \/ b 1\] \| (PASS|UNRELIABLE \(load \d+\.\d\d\)) \|/m,
    );
    assert.match(results, /^\| loki ratio \(>= 1\.5x\) \|.*\| `cd packages\/loki-transport && BENCH_MAX_BUSY=1 /m);
    assert.match(text, /total \d+\.\d minutes \(budget 15\): within the budget/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test("a caller's BENCH_SCALE wins over the plan's, and a failing package does not stop the others", async () => {
  const root = repository({
    'packages/sandbox': 'process.exit(3);',
    'packages/loki-transport': verdictBench('loki ratio'),
  });
  try {
    const { code, out } = await runAll(root, { BENCH_SCALE: '0.1' }).done;
    assert.equal(code, 1);
    assert.match(out(), /\| packages\/sandbox \| 3 \|/);
    assert.match(out(), /\| packages\/loki-transport \| 0 \|/);
    assert.match(out(), /## packages\/loki-transport\n\n[\s\S]*?scale 0\.1/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('an interrupt stops the running package and its children, and the run', async () => {
  const root = repository({
    'packages/sandbox': `import { spawn } from 'node:child_process';
const sink = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
console.log('sink', sink.pid);
setInterval(() => {}, 1000);
`,
    'packages/loki-transport': verdictBench('never run'),
  });
  try {
    const run = runAll(root);
    let pid;
    for (let i = 0; i < 200 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 50));
      pid = Number(/sink (\d+)/.exec(run.out())?.[1]) || undefined;
    }
    assert.ok(pid, 'the package started its child');
    run.child.kill('SIGINT');
    const { code, out } = await run.done;
    assert.equal(code, 130);
    assert.doesNotMatch(out(), /## packages\/loki-transport/);
    const gone = () => {
      try {
        const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return s.slice(s.lastIndexOf(')') + 2)[0] === 'Z';
      } catch {
        return true;
      }
    };
    for (let i = 0; i < 100 && !gone(); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(gone(), `child ${pid} of the interrupted package still runs`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
