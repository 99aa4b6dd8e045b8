import { LokiHttpError } from './errors.js';
import { goQuote } from './go-quote.js';
import { parsePushLabels } from './logql/parser.js';
import type { ResolvedOptions } from './options.js';
import type { Labels } from './types.js';

/** Canonical selector text of a label set: names sorted, values Go-quoted, as Loki prints streams. */
export function formatLabels(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${goQuote(labels[n]!)}`).join(', ')}}`;
}

/** A stream's labels after Loki's distributor checks. */
export interface ValidLabels {
  labels: Labels;
  key: string;
}

const CACHE_LIMIT = 10_000;

/** Parses and validates pushed label texts like Loki's distributor, remembering recent answers. */
export class LabelValidator {
  readonly #cache = new Map<string, ValidLabels | string>();

  constructor(readonly opts: ResolvedOptions) {}

  /** Returns the labels, or Loki's error message for the stream. */
  validate(text: string): ValidLabels | string {
    const hit = this.#cache.get(text);
    if (hit !== undefined) return hit;
    const result = check(text, this.opts);
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(text, result);
    return result;
  }
}

function check(text: string, opts: ResolvedOptions): ValidLabels | string {
  let pairs: Array<[string, string]>;
  try {
    pairs = parsePushLabels(text);
  } catch (error) {
    if (error instanceof LokiHttpError) return `Error parsing labels '${text}' with error: ${error.message}`;
    throw error;
  }
  // Loki's label parser drops every label with an empty value (a name pushed with any empty value goes entirely).
  const emptyNames = new Set(pairs.filter(([, value]) => value === '').map(([name]) => name));
  if (emptyNames.size > 0) pairs = pairs.filter(([name]) => !emptyNames.has(name));
  const labels: Labels = {};
  for (const [name, value] of pairs) {
    if (Object.hasOwn(labels, name)) return `stream '${text}' has duplicate label name: '${name}'`;
    labels[name] = value;
  }
  for (const name of opts.discoverServiceName.length > 0 && !('service_name' in labels) ? opts.discoverServiceName : []) {
    if (labels[name]) {
      labels.service_name = labels[name]!;
      break;
    }
  }
  if (opts.discoverServiceName.length > 0 && !('service_name' in labels)) labels.service_name = 'unknown_service';
  if (Object.keys(labels).length === 0) return 'error at least one label pair is required per stream';
  const key = formatLabels(labels);
  // Loki 3 leaves service_name out of the count, pushed or discovered.
  const count = Object.keys(labels).length - ('service_name' in labels ? 1 : 0);
  if (count > opts.maxLabelNamesPerSeries) {
    return `entry for stream '${key}' has ${count} label names; limit ${opts.maxLabelNamesPerSeries}`;
  }
  for (const [name, value] of Object.entries(labels)) {
    // Loki compares Go string lengths: UTF-8 bytes, not characters.
    if (Buffer.byteLength(name) > opts.maxLabelNameLength) return `stream '${key}' has label name too long: '${name}'`;
    if (Buffer.byteLength(value) > opts.maxLabelValueLength) return `stream '${key}' has label value too long: '${value}'`;
  }
  return { labels, key };
}
