import { LokiHttpError } from './errors.js';
import { goQuote } from './go-quote.js';
import { parsePushLabels } from './logql/parser.js';
import type { ResolvedOptions } from './options.js';
import type { Labels } from './types.js';

/** Selector text of label pairs in the given order, values Go-quoted, as Loki prints label sets. */
function formatPairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return `{${pairs.map(([n, v]) => `${n}=${goQuote(v)}`).join(', ')}}`;
}

/** Canonical selector text of a label set: names sorted, values Go-quoted, as Loki prints streams. */
export function formatLabels(labels: Labels): string {
  return formatPairs(
    Object.keys(labels)
      .sort()
      .map((n) => [n, labels[n]!] as const),
  );
}

/** A stream's labels after Loki's distributor checks. */
export interface ValidLabels {
  labels: Labels;
  key: string;
}

/**
 * Label text that does not parse. Loki 3 finds this while reading the push,
 * before any stream is validated, and refuses the whole push with this message.
 */
export interface UnparsableLabels {
  unparsable: string;
}

const CACHE_LIMIT = 10_000;

/** Parses and validates pushed label texts like Loki's distributor, remembering recent answers. */
export class LabelValidator {
  readonly #cache = new Map<string, ValidLabels | UnparsableLabels | string>();

  constructor(readonly opts: ResolvedOptions) {}

  /** Returns the labels, Loki's error message for the stream, or the push's error when the text does not parse. */
  validate(text: string): ValidLabels | UnparsableLabels | string {
    const hit = this.#cache.get(text);
    if (hit !== undefined) return hit;
    const result = check(text, this.opts);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(text, result);
    return result;
  }
}

function byName(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function check(text: string, opts: ResolvedOptions): ValidLabels | UnparsableLabels | string {
  let pairs: Array<[string, string]>;
  try {
    pairs = parsePushLabels(text);
  } catch (error) {
    if (error instanceof LokiHttpError) return { unparsable: `couldn't parse labels: ${error.message}` };
    throw error;
  }
  // Loki's label parser drops every label with an empty value (a name pushed with any empty value goes entirely).
  const emptyNames = new Set(pairs.filter(([, value]) => value === '').map(([name]) => name));
  if (emptyNames.size > 0) pairs = pairs.filter(([name]) => !emptyNames.has(name));
  pairs.sort(byName);
  const hasServiceName = pairs.some(([name]) => name === 'service_name');
  // Loki 3 adds service_name while reading the push, before validation, and then
  // carries (and prints in errors) the rewritten label text; otherwise it prints the text as pushed.
  let shown = text;
  if (opts.discoverServiceName.length > 0 && !hasServiceName) {
    let service = 'unknown_service';
    for (const name of opts.discoverServiceName) {
      const value = pairs.find(([n]) => n === name)?.[1];
      if (value) {
        service = value;
        break;
      }
    }
    pairs.push(['service_name', service]);
    pairs.sort(byName);
    shown = formatPairs(pairs);
  }
  if (pairs.length === 0) return 'error at least one label pair is required per stream';
  // Loki 3 leaves service_name out of the count, pushed or discovered.
  const count = pairs.length - (pairs.some(([name]) => name === 'service_name') ? 1 : 0);
  if (count > opts.maxLabelNamesPerSeries) {
    return `entry for stream '${shown}' has ${count} label names; limit ${opts.maxLabelNamesPerSeries}`;
  }
  // Then label by label in name order, as Loki walks its sorted labels.
  let previous: string | undefined;
  for (const [name, value] of pairs) {
    // Loki compares Go string lengths: UTF-8 bytes, not characters.
    if (Buffer.byteLength(name) > opts.maxLabelNameLength) return `stream '${shown}' has label name too long: '${name}'`;
    if (Buffer.byteLength(value) > opts.maxLabelValueLength) return `stream '${shown}' has label value too long: '${value}'`;
    if (name === previous) return `stream '${shown}' has duplicate label name: '${name}'`;
    previous = name;
  }
  // fromEntries defines own properties, so a label named __proto__ is kept as a label.
  const labels: Labels = Object.fromEntries(pairs);
  return { labels, key: formatPairs(pairs) };
}
