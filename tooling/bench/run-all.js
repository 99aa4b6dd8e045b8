#!/usr/bin/env node
// Runs every package's benchmark one after the other (the root `pnpm bench`), within a time
// budget, and collects one Markdown row per verdict into a results file.
//
//   node tooling/bench/run-all.js [name ...]     (names: package folders, e.g. sandbox loki-transport)
//
// What it adds to running the packages' `bench` scripts by hand:
// - one calibration reference for the whole run, measured in a fresh process before the first
//   benchmark (passed on as BENCH_RUN_CALIBRATION_MS / _SPREAD);
// - the run's own part of the load average, followed across packages (BENCH_RUN_OWN_LOAD /
//   _AT), so a package starting right after another does not see its predecessor as another
//   user of the machine;
// - each package's settings that keep the whole run under its budget (BENCH_SCALE etc., only
//   where the caller has not set them), printed before the run;
// - BENCH_RESULTS: the file the verdict rows go to (default bench-results.md in the
//   repository root), printed at the end with the time each package took;
// - on SIGINT/SIGTERM the running package is interrupted (and its children with it), then killed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrationReference, MARKDOWN_HEADER, machineName, OwnLoad } from './index.js';

// BENCH_ROOT: another checkout of the repository to run (the harness's tests use one of their own).
const root = path.resolve(process.env.BENCH_ROOT || path.join(path.dirname(fileURLToPath(import.meta.url)), '../..'));
const BUDGET_MIN = Number(process.env.BENCH_BUDGET_MIN || 15);

/**
 * The order of the run and each package's settings for it, with the minutes it is expected to
 * take on the 2-core reference machine (from each table's sizes; every package prints its
 * seconds at the end, so the first quiet run checks them). A caller's BENCH_* wins.
 */
const PLAN = [
  // Two rounds of every table (each contender in two interleaved processes).
  { dir: 'packages/log-core', env: { BENCH_ROUNDS: '2' }, minutes: 1.6 },
  { dir: 'packages/error-files', env: {}, minutes: 0.3 },
  { dir: 'packages/loki-receiver', env: {}, minutes: 0.3 },
  // The capture at 256 MiB per run, as in the quiet-machine figure of the issue; the runner and
  // isolation parts included.
  { dir: 'packages/sandbox', env: { BENCH_SCALE: '0.5' }, minutes: 1.1 },
  // The sizes the targets name (burst of 100,000 lines, 20,000 lines/s for 20 s, capacity steps of 20 s),
  // two rounds of each table. About: burst 1.3 minutes, steady 3.3, equalised steady 1.6 (ours'
  // runs and the /dev/null floor come from the first), latency 0.5, capacity 2.9 (pino-loki until a
  // step fails, its first step the equalised table's runs; ours two steps from twice its capacity).
  { dir: 'packages/loki-transport', env: { BENCH_ROUNDS: '2', BENCH_STEADY_ROUNDS: '2' }, minutes: 9.8 },
  { dir: 'apps/runner', env: { BENCH_ROUNDS: '2' }, minutes: 0.8 },
];

function benchScript(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8')).scripts?.bench;
  } catch {
    return undefined;
  }
}

// Any other workspace package with a bench script runs after the planned ones.
for (const group of ['packages', 'apps']) {
  for (const name of fs.existsSync(path.join(root, group)) ? fs.readdirSync(path.join(root, group)).sort() : []) {
    const dir = `${group}/${name}`;
    if (!PLAN.some((p) => p.dir === dir) && benchScript(dir)) PLAN.push({ dir, env: {}, minutes: 1 });
  }
}

const asked = process.argv.slice(2).filter((a) => a !== '--');
const unknown = asked.filter((a) => !PLAN.some((p) => path.basename(p.dir) === a || p.dir === a));
if (unknown.length) {
  console.error(
    `unknown package ${unknown.join(', ')}; one or more of: ${PLAN.map((p) => path.basename(p.dir)).join(', ')}`,
  );
  process.exit(2);
}
const plan = PLAN.filter(
  (p) => benchScript(p.dir) && (asked.length === 0 || asked.includes(path.basename(p.dir)) || asked.includes(p.dir)),
);

const results = path.resolve(root, process.env.BENCH_RESULTS || 'bench-results.md');
const started = new Date();
const loadAtStart = os.loadavg()[0];
const ref = calibrationReference();
const own = new OwnLoad(process.pid);
const sampler = setInterval(() => own.update(), 5000);

const command = `npx -y pnpm@10.34.8 bench${asked.length ? ` -- ${asked.join(' ')}` : ''}`;
fs.writeFileSync(
  results,
  `# Benchmark results\n\nRun: ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${machineName()}, load average at the start ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, command \`${[
    ...Object.entries(process.env)
      .filter(([k]) => k.startsWith('BENCH_'))
      .map(([k, v]) => `${k}=${v}`),
    command,
  ].join(' ')}\`.\n\n${MARKDOWN_HEADER}\n`,
);

console.log(`# Benchmarks\n\n${machineName()}; load average ${loadAtStart.toFixed(2)} at the start`);
console.log(
  `calibration reference for the run: ${ref.ms.toFixed(1)} ms (spread ${(100 * ref.spread).toFixed(1)}%); verdict rows go to ${path.relative(root, results) || results}`,
);
const planned = plan.reduce((a, p) => a + p.minutes, 0);
console.log(`\nplan (budget ${BUDGET_MIN} minutes, about ${planned.toFixed(1)} planned):`);
for (const p of plan) {
  const env = Object.entries(p.env)
    .filter(([k]) => !process.env[k])
    .map(([k, v]) => `${k}=${v}`);
  console.log(`- ${p.dir}: \`${[...env, benchScript(p.dir)].join(' ')}\` (about ${p.minutes} min)`);
}

let current;
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    interrupted = true;
    if (!current || current.exitCode !== null || current.signalCode !== null) process.exit(130);
    // The package's harness cleans up its own children on SIGINT; whatever is left is killed.
    try {
      process.kill(-current.pid, 'SIGINT');
    } catch {}
    setTimeout(() => {
      try {
        process.kill(-current.pid, 'SIGKILL');
      } catch {}
    }, 3000).unref();
  });
}
process.on('exit', () => {
  if (current && current.exitCode === null && current.signalCode === null) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {}
  }
});

const timeoutMin = Number(process.env.BENCH_PACKAGE_TIMEOUT_MIN || 0);
const outcomes = [];
for (const p of plan) {
  if (interrupted) break;
  const cwd = path.join(root, p.dir);
  const { value } = own.update();
  const env = {
    ...Object.fromEntries(Object.entries(p.env).filter(([k]) => !process.env[k])),
    ...process.env,
    BENCH_RESULTS: results,
    BENCH_RUN_OWN_LOAD: String(value),
    BENCH_RUN_OWN_LOAD_AT: String(Date.now()),
    PATH: [path.join(cwd, 'node_modules/.bin'), path.join(root, 'node_modules/.bin'), process.env.PATH].join(
      path.delimiter,
    ),
  };
  if (!process.env.BENCH_CALIBRATION_MS) {
    env.BENCH_RUN_CALIBRATION_MS = String(ref.ms);
    env.BENCH_RUN_CALIBRATION_SPREAD = String(ref.spread);
  }
  console.log(`\n\n## ${p.dir}\n`);
  const t0 = Date.now();
  // A process group of its own, so an interrupt reaches the package's whole tree.
  current = spawn('/bin/sh', ['-c', benchScript(p.dir)], { cwd, env, stdio: 'inherit', detached: true });
  const limit =
    timeoutMin > 0
      ? setTimeout(() => {
          console.error(`${p.dir}: over ${timeoutMin} minutes, stopped`);
          try {
            process.kill(-current.pid, 'SIGINT');
          } catch {}
          setTimeout(() => {
            try {
              process.kill(-current.pid, 'SIGKILL');
            } catch {}
          }, 3000).unref();
        }, timeoutMin * 60_000)
      : undefined;
  const code = await new Promise((resolve) => current.once('exit', (c, s) => resolve(c ?? s)));
  if (limit) clearTimeout(limit);
  outcomes.push({ dir: p.dir, code, seconds: (Date.now() - t0) / 1000, planned: p.minutes });
}
clearInterval(sampler);

const total = (Date.now() - started.getTime()) / 1000;
console.log('\n\n## Time\n');
console.log('| package | exit | seconds | planned (min) |\n|---|---|---:|---:|');
for (const o of outcomes) console.log(`| ${o.dir} | ${o.code} | ${o.seconds.toFixed(0)} | ${o.planned} |`);
console.log(
  `\ntotal ${(total / 60).toFixed(1)} minutes (budget ${BUDGET_MIN}): ${total / 60 <= BUDGET_MIN ? 'within' : 'OVER'} the budget${interrupted ? '; interrupted' : ''}`,
);
fs.appendFileSync(
  results,
  `\nTotal ${(total / 60).toFixed(1)} minutes; ${outcomes.map((o) => `${o.dir} ${o.seconds.toFixed(0)} s (exit ${o.code})`).join(', ')}.\n`,
);
console.log(`\n## Markdown summary (${path.relative(root, results) || results})\n`);
console.log(fs.readFileSync(results, 'utf8'));
process.exitCode = interrupted ? 130 : outcomes.every((o) => o.code === 0) ? 0 : 1;
