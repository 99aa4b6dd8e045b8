// A nanosecond timestamp kept as two doubles: epoch milliseconds and the
// nanoseconds within that millisecond. Plain number arrays stay unboxed, where
// half a million BigInts would keep the garbage collector busy.

export const NS_PER_MS = 1_000_000;
const NS_PER_MS_BIG = 1_000_000n;

/** Splits epoch nanoseconds into [ms, sub-ms ns]. */
export function splitNs(ns: bigint): [ms: number, sub: number] {
  let ms = ns / NS_PER_MS_BIG;
  let sub = ns - ms * NS_PER_MS_BIG;
  if (sub < 0n) {
    ms -= 1n;
    sub += NS_PER_MS_BIG;
  }
  return [Number(ms), Number(sub)];
}

/** Joins [ms, sub] back into epoch nanoseconds. */
export function joinNs(ms: number, sub: number): bigint {
  return BigInt(ms) * NS_PER_MS_BIG + BigInt(sub);
}

/** Decimal nanoseconds, as on Loki's wire. */
export function nsString(ms: number, sub: number): string {
  if (ms > 0) return `${ms}${sub < 100_000 ? String(sub).padStart(6, '0') : sub}`;
  return joinNs(ms, sub).toString();
}

/** Reads a decimal nanosecond string; fast path without BigInt for ordinary times. */
export function parseNsString(text: string): [ms: number, sub: number] {
  if (text.length > 6 && text.length <= 21 && text.charCodeAt(0) !== 45) {
    return [Number(text.slice(0, -6)), Number(text.slice(-6))];
  }
  return splitNs(BigInt(text));
}

/** Negative, zero or positive as a is before, at or after b. */
export function compareTs(aMs: number, aSub: number, bMs: number, bSub: number): number {
  return aMs === bMs ? aSub - bSub : aMs - bMs;
}
