import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calibrationReference, describeState, machineState, startLoad } from './quiet.js';

export { liveChildren, reportOf, stopChild, track, writeReport } from './children.js';
export {
  calibrate,
  calibrationLoop,
  calibrationReference,
  describeState,
  MAX_BUSY_SHARE,
  MAX_LOAD,
  MAX_RUN_SHARE,
  MAX_SLOWDOWN,
  machineState,
  OwnLoad,
  ownLoad,
  probe,
  spreadOf,
  startLoad,
  tolerance,
  treeTicks,
  waitForQuiet,
} from './quiet.js';

/** Median of a list of numbers (the list is not modified). */
export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** A percentile (0..100) by nearest rank. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** The machine without the date or load: cores, CPU, memory, Node and kernel. */
export function machineName() {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown cpu';
  const mem = Math.round(os.totalmem() / 2 ** 30);
  return `${os.cpus().length} x ${cpu}, ${mem} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

/** One line naming the machine and the date, printed above every table, with the calibration reference. */
export function machineLine() {
  const ref = calibrationReference();
  return `${machineName()}, ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC, load ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(
      ' ',
    )}; calibration reference ${ref.ms.toFixed(1)} ms (spread ${(100 * ref.spread).toFixed(1)}%, ${{ start: 'measured at the start', run: 'measured at the start of the run', given: 'from BENCH_CALIBRATION_MS' }[ref.source]})`;
}

// Settings of the harness's plumbing, not of the benchmark: left out of the command line.
const internalEnv = (name) => name === 'BENCH_RESULTS' || name.startsWith('BENCH_RUN_');

/** The folder of the repository (the one holding pnpm-workspace.yaml), or undefined. */
function repositoryRoot(from = process.cwd()) {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The command that reproduces this benchmark, from the repository root: the package folder, the
 * BENCH_* settings in effect and the script with its arguments
 * (`cd packages/x && BENCH_SCALE=0.1 npx tsx bench/index.ts steady`).
 */
export function commandLine() {
  const root = repositoryRoot();
  const cwd = process.cwd();
  const dir = root ? path.relative(root, cwd) : cwd;
  const script = process.argv[1] ? path.relative(cwd, process.argv[1]) : '';
  const env = Object.entries(process.env)
    .filter(([k, v]) => k.startsWith('BENCH_') && v && !internalEnv(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${/^[\w.,:/+-]+$/.test(v) ? v : JSON.stringify(v)}`);
  const run = [...env, 'npx tsx', script, ...process.argv.slice(2)].filter(Boolean).join(' ');
  return dir ? `cd ${dir} && ${run}` : run;
}

function pad(text, width, right) {
  const s = String(text);
  return right ? s.padStart(width) : s.padEnd(width);
}

/**
 * Prints a Markdown table. `rows` are arrays of cells; numbers are right-aligned.
 * @param {string} title
 * @param {string[]} header
 * @param {Array<Array<string|number>>} rows
 */
export function printTable(title, header, rows) {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : String(c))));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const numeric = header.map((_, i) => rows.every((r) => typeof r[i] === 'number'));
  const line = (r) => `| ${r.map((c, i) => pad(c, widths[i], numeric[i])).join(' | ')} |`;
  console.log(`\n### ${title}\n`);
  console.log(line(header));
  console.log(`| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`);
  for (const r of cells) console.log(line(r));
}

/** Numbers with thousands separators and at most two decimals. */
export function formatNumber(n) {
  if (!Number.isFinite(n)) return String(n);
  const digits = Math.abs(n) >= 100 ? 0 : 2;
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

const tally = { pass: 0, fail: 0, unreliable: 0 };
/** Every verdict of this process, for the Markdown summary. */
const results = [];

/**
 * The verdict word for a result: PASS or FAIL on a quiet machine, `UNRELIABLE (load N)`
 * otherwise. The machine is checked right before each verdict (see quiet.js).
 */
let lastState;
function verdictWord(ok) {
  const state = machineState();
  lastState = state;
  if (!state.quiet) {
    tally.unreliable++;
    return { word: `UNRELIABLE (load ${state.load.toFixed(2)})`, state };
  }
  if (ok) tally.pass++;
  else tally.fail++;
  return { word: ok ? 'PASS' : 'FAIL', state };
}

function record(what, shown, target, unit, raw, word, state) {
  results.push({ what, shown, target: targetText(target, unit), raw, word, state, at: new Date() });
}

/**
 * The verdict word alone (PASS, FAIL or `UNRELIABLE (load N)`), for a targets table. With `what`
 * the verdict also goes into the Markdown summary (with `raw`, the numbers it comes from).
 * @param {number} value
 * @param {{ atLeast?: number, atMost?: number }} target
 * @param {string} [what]
 * @param {string} [raw]
 * @param {string} [unit]
 */
export function judge(value, target, what, raw, unit = 'x') {
  const ok =
    Number.isFinite(value) &&
    (target.atLeast === undefined || value >= target.atLeast) &&
    (target.atMost === undefined || value <= target.atMost);
  const { word, state } = verdictWord(ok);
  if (what)
    record(what, Number.isFinite(value) ? `${value.toFixed(2)}${unit}` : String(value), target, unit, raw, word, state);
  return word;
}

function targetText(target, unit) {
  const parts = [];
  if (target.atLeast !== undefined) parts.push(`>= ${target.atLeast}${unit}`);
  if (target.atMost !== undefined) parts.push(`<= ${target.atMost}${unit}`);
  return parts.join(' and ');
}

/**
 * Compares a measured ratio with a target and prints a verdict line: PASS/FAIL
 * on a quiet machine, `UNRELIABLE (load N)` on a busy one.
 * @param {string} what description of the ratio, e.g. "log-core / pino throughput"
 * @param {number} ratio measured ratio
 * @param {{ atLeast?: number, atMost?: number }} target
 * @param {string} [raw] the raw numbers the ratio comes from, printed after it
 * @returns {boolean} whether the measured ratio meets the target (whatever the machine's state)
 */
export function verdict(what, ratio, target, raw) {
  return verdictValue(what, ratio, target, 'x', raw);
}

/** Like `verdict`, for a value with a unit (`ms`, ` MiB`) instead of a ratio. */
export function verdictValue(what, value, target, unit = '', raw) {
  const ok =
    Number.isFinite(value) &&
    (target.atLeast === undefined || value >= target.atLeast) &&
    (target.atMost === undefined || value <= target.atMost);
  const { word, state } = verdictWord(ok);
  const shown = Number.isFinite(value) ? `${value.toFixed(2)}${unit}` : String(value);
  record(what, shown, target, unit, raw, word, state);
  console.log(
    `${word} ${what}: ${shown} (target ${targetText(target, unit)})${raw ? ` [${raw}]` : ''}${state.quiet ? '' : ` {${state.reasons.join('; ')}}`}`,
  );
  return ok;
}

/**
 * A figure without a target (e.g. CPU per line), printed and kept for the Markdown summary next
 * to the verdicts, with the machine's state when it was taken (a figure from a busy machine
 * reads UNRELIABLE there too).
 * @param {string} what
 * @param {string} shown the value with its unit
 * @param {string} [raw]
 */
export function figure(what, shown, raw) {
  const state = machineState();
  lastState = state;
  const word = state.quiet ? 'figure' : `UNRELIABLE (load ${state.load.toFixed(2)})`;
  results.push({ what, shown, target: 'no target', raw, word, state, at: new Date() });
  console.log(
    `${word} ${what}: ${shown}${raw ? ` [${raw}]` : ''}${state.quiet ? '' : ` {${state.reasons.join('; ')}}`}`,
  );
}

/** The machine's state at the latest verdict (undefined before the first). */
export function lastVerdictState() {
  return lastState;
}

const cell = (text) => String(text).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * One Markdown table row per verdict so far, ready to paste into the README's benchmark table:
 * target, measured value with its raw numbers, verdict, date, machine, load, command.
 */
export function markdownSummary() {
  const machine = machineName();
  const command = commandLine();
  return results.map((r) =>
    [
      '',
      `${cell(r.what)} (${cell(r.target)})`,
      `${cell(r.shown)}${r.raw ? ` [${cell(r.raw)}]` : ''}`,
      cell(r.word),
      `${r.at.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      cell(machine),
      `${startLoad().toFixed(2)} at the start, ${r.state.load.toFixed(2)} of others at the verdict`,
      `\`${cell(command)}\``,
      '',
    ]
      .join(' | ')
      .trim(),
  );
}

/** The header of the Markdown summary's rows. */
export const MARKDOWN_HEADER =
  '| target | measured [raw numbers] | verdict | date | machine | load average | command |\n|---|---|---|---|---|---|---|';

/**
 * Counts of verdicts printed so far, and a closing line for a benchmark's output; then the
 * Markdown summary (one row per verdict), also appended to the file named by BENCH_RESULTS.
 */
export function verdictSummary() {
  const s = machineState();
  console.log(
    `\nverdicts: ${tally.pass} PASS, ${tally.fail} FAIL, ${tally.unreliable} UNRELIABLE; machine at the end: ${describeState(s)}; ${process.uptime().toFixed(0)} s since start`,
  );
  const rows = markdownSummary();
  if (rows.length) {
    console.log(`\nMarkdown summary (one row per verdict):\n\n${MARKDOWN_HEADER}\n${rows.join('\n')}`);
    if (process.env.BENCH_RESULTS) fs.appendFileSync(process.env.BENCH_RESULTS, `${rows.join('\n')}\n`);
  }
  return { ...tally };
}

/** Median, min and max of a list. */
export function summary(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/** "median (min–max)" with formatNumber, for one table cell. */
export function range(values, digits) {
  const s = summary(values);
  const f = (n) => (digits === undefined ? formatNumber(n) : n.toFixed(digits));
  return values.length > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
}

/**
 * Runs every contender once per round, the order rotating each round so a change
 * in load hits all alike; returns each contender's results in round order.
 * @template T
 * @param {string[]} names
 * @param {number} rounds
 * @param {(name: string, round: number) => Promise<T>} run
 * @returns {Promise<Record<string, T[]>>}
 */
export async function interleave(names, rounds, run) {
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) out[name].push(await run(name, round));
  }
  return out;
}

/**
 * Prints each contender's settings under a table, so a reader can tell which race was run.
 * @param {Record<string, string | Record<string, unknown>>} settings
 */
export function printSettings(settings) {
  console.log('');
  for (const [name, value] of Object.entries(settings)) {
    console.log(`- ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
}

/**
 * Runs `fn` `rounds` times after `warmup` rounds and returns every round's
 * duration in milliseconds. `fn` may be async.
 */
export async function timeRounds(fn, { rounds = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}
