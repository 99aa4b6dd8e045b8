import { badArgument } from './errors.js';
// Timestamps in Loki's messages are printed with Go's time formatting.

const NS_PER_MS = 1_000_000n;

function parts(ns: bigint): { date: Date; frac: bigint } {
  let ms = ns / NS_PER_MS;
  let rem = ns % 1_000_000_000n;
  if (rem < 0n) rem += 1_000_000_000n;
  if (ns < 0n && ns % NS_PER_MS !== 0n) ms -= 1n;
  return { date: new Date(Number(ms)), frac: rem };
}

/** Go's `t.UTC().Format(time.RFC3339)`: `2006-01-02T15:04:05Z`. */
export function formatRfc3339(ns: bigint): string {
  return `${parts(ns).date.toISOString().slice(0, 19)}Z`;
}

/** Go's `t.UTC().String()`: `2006-01-02 15:04:05.123 +0000 UTC` (fraction trimmed, absent when zero). */
export function formatGoTime(ns: bigint): string {
  const { date, frac } = parts(ns);
  const base = date.toISOString().slice(0, 19).replace('T', ' ');
  const fraction = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${fraction} +0000 UTC`;
}

/** Reads a time parameter as Loki does: integer ns, float seconds, or RFC3339. Returns ns, or undefined if unreadable. */
export function parseTimeParam(value: string): bigint | undefined {
  const text = value.trim();
  if (/^-?\d+$/.test(text)) {
    // Loki reads a bare integer as nanoseconds; short ones are seconds.
    return text.replace('-', '').length <= 10 ? BigInt(text) * 1_000_000_000n : BigInt(text);
  }
  if (/^-?\d+\.\d+$/.test(text)) {
    const [s, f] = text.split('.') as [string, string];
    const frac = BigInt(f.padEnd(9, '0').slice(0, 9));
    const sign = s.startsWith('-') ? -1n : 1n;
    return BigInt(s) * 1_000_000_000n + sign * frac;
  }
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const frac = m[2] ? BigInt(m[2].slice(1).padEnd(9, '0').slice(0, 9)) : 0n;
  return BigInt(ms) * NS_PER_MS + frac;
}

/** Converts any accepted time input (ns bigint, ns string, RFC3339, ms number, Date) to ns. */
export function toNanoseconds(value: bigint | string | number | Date, name: string): bigint {
  if (typeof value === 'bigint') return value;
  if (value instanceof Date) return BigInt(value.getTime()) * NS_PER_MS;
  if (typeof value === 'number' && Number.isFinite(value)) return BigInt(Math.trunc(value)) * NS_PER_MS;
  const ns = typeof value === 'string' ? parseTimeParam(value) : undefined;
  if (ns === undefined)
    throw badArgument(`query() option '${name}' must be ns, RFC3339, epoch ms or a Date, got ${String(value)}`);
  return ns;
}
