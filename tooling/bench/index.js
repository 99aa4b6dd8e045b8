import os from 'node:os';

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

/** One line naming the machine and the date, printed above every table. */
export function machineLine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  const mem = Math.round(os.totalmem() / 2 ** 30);
  return `${os.cpus().length} x ${cpu}, ${mem} GiB, Node ${process.version}, ${os.platform()} ${os.release()}, ${new Date().toISOString().slice(0, 10)}`;
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

/**
 * Compares a measured ratio with a target and prints a verdict line.
 * @param {string} what description of the ratio, e.g. "log-core / pino throughput"
 * @param {number} ratio measured ratio
 * @param {{ atLeast?: number, atMost?: number }} target
 * @returns {boolean} whether the target holds
 */
export function verdict(what, ratio, target) {
  const ok = (target.atLeast === undefined || ratio >= target.atLeast) && (target.atMost === undefined || ratio <= target.atMost);
  const want = target.atLeast !== undefined ? `>= ${target.atLeast}x` : `<= ${target.atMost}x`;
  console.log(`${ok ? 'PASS' : 'MISS'} ${what}: ${ratio.toFixed(2)}x (target ${want})`);
  return ok;
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
