/** One line of a stream, ready to encode. */
export interface Entry {
  /** Epoch milliseconds (integer). */
  ms: number;
  /** Extra nanoseconds within `ms` (0..999999), so same-millisecond lines keep their order. */
  sub: number;
  line: string;
  /** UTF-8 length of `line`. */
  bytes: number;
  /** Structured metadata pairs, or null. */
  meta: Array<[string, string]> | null;
}

/** The lines of one label set within a batch. */
export interface StreamBatch {
  /** Selector text `{a="b", c="d"}`. */
  selector: string;
  /** The labels of `selector` as an object (for the JSON wire format). */
  labels: Record<string, string>;
  entries: Entry[];
}

/** Nanoseconds since the epoch, as the decimal string Loki's JSON API wants. */
export function nanosString(ms: number, sub: number): string {
  return `${ms}${String(sub).padStart(6, '0')}`;
}
