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
/** Longer label texts are never remembered: a valid label set is far shorter, and the cache stays bounded. */
const CACHE_TEXT_LIMIT = 65_536;

/**
 * Loki's two bounds on one stream's label text (pkg/loghttp/push/push.go
 * `maxStreamLabelsSize` = 1<<24, checked before parsing, answered 413; and
 * pkg/logql/syntax/parser.go `maxStreamLabelsSize` = 1<<24 - 1, checked by
 * ParseLabels, answered 400). Both are constants, not settings.
 */
export const MAX_STREAM_LABELS_BYTES = 2 ** 24;
const MAX_PARSED_LABELS_BYTES = 2 ** 24 - 1;

/** UTF-8 bytes of `text`, computed only when it could exceed `limit` (a UTF-16 unit is at most 3 bytes). */
function bytesOver(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text);
  return bytes > limit ? bytes : undefined;
}

/** go-humanize's Bytes (SI units), as Loki prints the label-size limit. */
export function humanizeBytes(n: number): string {
  if (n < 10) return `${n} B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(n) / Math.log(1000));
  const value = Math.floor((n / 1000 ** e) * 10 + 0.5) / 10;
  if (value < 10) return `${value.toFixed(1)} ${sizes[e]}`;
  // Go's %.0f rounds a tie to even (12.5 -> 12); toFixed would round it up.
  let whole = Math.round(value);
  if (whole - value === 0.5 && whole % 2 !== 0) whole -= 1;
  return `${whole} ${sizes[e]}`;
}

/**
 * Loki's message when one stream's label text is over 16 MiB (push.go,
 * before any parsing): the whole push is refused with 413. Undefined when
 * the text is within the bound.
 */
export function streamLabelsTooLarge(text: string): string | undefined {
  const bytes = bytesOver(text, MAX_STREAM_LABELS_BYTES);
  if (bytes === undefined) return undefined;
  return `request body too large: stream labels size ${humanizeBytes(bytes)} exceeds limit of ${humanizeBytes(MAX_STREAM_LABELS_BYTES)}`;
}

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
    if (text.length > CACHE_TEXT_LIMIT) return result;
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(text, result);
    return result;
  }
}

function parse(text: string): Array<[string, string]> | UnparsableLabels {
  // Go's `>>20` of both numbers: whole MiB, rounded down.
  const bytes = bytesOver(text, MAX_PARSED_LABELS_BYTES);
  if (bytes !== undefined)
    return {
      unparsable: `couldn't parse labels: labels size ${Math.floor(bytes / 2 ** 20)} MiB exceeds limit of ${Math.floor(MAX_PARSED_LABELS_BYTES / 2 ** 20)}`,
    };
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
