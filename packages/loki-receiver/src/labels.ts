import { goQuote } from './go-quote.js';
import type { ResolvedOptions } from './options.js';
import { LabelsSyntaxError, parseLabelsText } from './push/labels-text.js';
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
  /** Canonical text `{a="b", c="d"}`: what Loki stores and prints in entry errors. */
  key: string;
}

/** Label text that does not parse: Loki refuses the whole push with this message. */
export interface UnparsableLabels {
  unparsable: string;
}

/** Parsed, rewritten labels of one pushed stream, and their validation result. */
export interface PreparedLabels {
  key: string;
  /** The stream's labels, or Loki's validation message for the stream. */
  result: ValidLabels | string;
}

const CACHE_LIMIT = 10_000;

function byName(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** Parses, rewrites and validates pushed label texts like Loki's push parser and distributor, remembering recent answers. */
export class LabelValidator {
  readonly #cache = new Map<string, PreparedLabels | UnparsableLabels>();

  constructor(readonly opts: ResolvedOptions) {}

  prepare(text: string): PreparedLabels | UnparsableLabels {
    const hit = this.#cache.get(text);
    if (hit !== undefined) return hit;
    const result = prepare(text, this.opts);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(text, result);
    return result;
  }
}

function parse(text: string): Array<[string, string]> | UnparsableLabels {
  try {
    return parseLabelsText(text);
  } catch (error) {
    if (error instanceof LabelsSyntaxError) return { unparsable: `couldn't parse labels: ${error.message}` };
    throw error;
  }
}

function prepare(text: string, opts: ResolvedOptions): PreparedLabels | UnparsableLabels {
  let pairs = parse(text);
  if (!Array.isArray(pairs)) return pairs;
  // Prometheus' WithoutEmpty: a label with an empty value is the same as no label.
  pairs = pairs.filter(([, value]) => value !== '');
  pairs.sort(byName);
  // Loki 3 (pkg/loghttp/push/push.go) adds service_name while reading the push,
  // from the first listed label with a value, else `unknown_service`.
  if (opts.discoverServiceName.length > 0 && !pairs.some(([name]) => name === 'service_name')) {
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
  }
  // Loki replaces the stream's text with the rewritten, sorted labels and parses
  // that text again for its push statistics; a value holding U+FFFD, even one
  // pushed escaped, is printed raw and refused by that second parse.
  const key = formatPairs(pairs);
  const again = parse(key);
  if (!Array.isArray(again)) return again;
  return { key, result: validate(pairs, key, opts) };
}

/** Loki's ValidateLabels (pkg/distributor/validator.go), printing the rewritten text. */
function validate(pairs: Array<[string, string]>, key: string, opts: ResolvedOptions): ValidLabels | string {
  if (pairs.length === 0) return 'error at least one label pair is required per stream';
  // service_name is left out of the count, pushed or discovered.
  const count = pairs.length - (pairs.some(([name]) => name === 'service_name') ? 1 : 0);
  if (count > opts.maxLabelNamesPerSeries) {
    return `entry for stream '${key}' has ${count} label names; limit ${opts.maxLabelNamesPerSeries}`;
  }
  let previous = '';
  for (const [name, value] of pairs) {
    // Go string lengths: UTF-8 bytes, not characters.
    if (Buffer.byteLength(name) > opts.maxLabelNameLength) return `stream '${key}' has label name too long: '${name}'`;
    if (Buffer.byteLength(value) > opts.maxLabelValueLength)
      return `stream '${key}' has label value too long: '${value}'`;
    if (name === previous) return `stream '${key}' has duplicate label name: '${name}'`;
    previous = name;
  }
  // fromEntries defines own properties, so a label named __proto__ is kept as a label.
  return { labels: Object.fromEntries(pairs), key };
}
