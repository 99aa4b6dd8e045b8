import { acceptedLabelValue, formatSelector, MAX_LABEL_VALUE_BYTES, truncateUtf8 } from './labels.js';
import { detached, type LineFormatter, LogfmtPrefixes, logfmtFields, logfmtKey, logfmtValue } from './line-format.js';
import type { NormalizedOptions } from './options.js';
import {
  isLokiRecord,
  levelLabelOf,
  levelNameOf,
  levelNumberOf,
  messageOf,
  nameOf,
  PINO_KEYS,
  timeOf,
} from './record.js';
import type { LokiRecord } from './types.js';

/** A record turned into what Loki stores: stream, line and structured metadata. */
/** A stream's selector and labels, kept once per set of label values. */
interface Stream {
  selector: string;
  labels: Record<string, string>;
  /** Whether a label value was rewritten for Loki (see `Shaped.relabelled`). */
  relabelled: boolean;
}

export interface Shaped {
  selector: string;
  labels: Record<string, string>;
  line: string;
  bytes: number;
  meta: Array<[string, string]> | null;
  /** Bytes cut off the line (0 when it fit). */
  cut: number;
  /** Whether a label value held characters Loki refuses (U+FFFD, lone surrogates), replaced by `?`. */
  relabelled: boolean;
}

/** A shaped pino object, with its time. */
export interface ShapedLine extends Shaped {
  time: number;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

interface KeyInfo {
  /** ` key=` as the field's key is written in a logfmt line, or '' for a field left out of the line. */
  keyText: string;
  /** Its structured metadata name, if it is one. */
  metaName: string | undefined;
}

// Where a label set's stream is kept in the trie (a field the record lacks is the key `undefined`).
const LEAF = Symbol('stream');

type Trie = Map<string | undefined | symbol, unknown>;

/** A line's stream and the start of its logfmt line (`level=… logger=… msg=`). */
interface Head {
  stream: Stream;
  prefix: string;
}

/** pino's level numbers (10 trace to 60 fatal), the ones whose heads are cached. */
const STANDARD_LEVEL: Readonly<Record<number, true>> = { 10: true, 20: true, 30: true, 40: true, 50: true, 60: true };

/** Places of an object whose last key shapeParsed remembers. */
const MAX_PLACES = 32;

/** Turns records into stream/line/metadata per the options; caches selectors by label values. */
export class Shaper {
  #o: NormalizedOptions;
  #format: LineFormatter;
  #skip: Set<string>;
  #promoted: Array<{ field: string; label: string }>;
  #streams: Trie = new Map();
  #streamCount = 0;
  #values: Array<string | undefined> = [];
  #markerBytes: number;
  #metaNames: Map<string, string>;
  // Whether shapeParsed may run: the default logfmt line only.
  #direct: boolean;
  #prefixes = new LogfmtPrefixes();
  // Per key seen by shapeParsed: null for pino's own keys, else how it is written and its metadata name.
  #keys = new Map<string, KeyInfo | null>();
  // The key last seen at each place of an object and its info: a logger's lines repeat
  // their keys in the same order, so most keys are found by one comparison, not a lookup.
  #placeKeys: Array<string | undefined> = [];
  #placeInfos: Array<KeyInfo | null> = [];
  // With labels from the level and the logger only (the default), a line's stream and its
  // logfmt prefix depend on its logger and level alone: both by the logger's name, then the
  // level, instead of a lookup per label value and two for the prefix. Null with other labels.
  #byName: Map<string, Array<Head | undefined>> | null;

  constructor(options: NormalizedOptions, format: LineFormatter) {
    this.#o = options;
    this.#format = format;
    // Static labels win over a promoted field of the same name; such a field stays in the line.
    this.#promoted = options.labelFields.filter((f) => !(f.label in options.labels));
    this.#skip = new Set(options.omitFields);
    for (const f of this.#promoted) this.#skip.add(f.field);
    if (!options.metadataInLine) for (const m of options.structuredMetadata) this.#skip.add(m.field);
    this.#markerBytes = Buffer.byteLength(options.truncateMarker);
    this.#metaNames = new Map(options.structuredMetadata.map((m) => [m.field, m.name]));
    this.#direct = options.format === 'logfmt' && options.formatter === undefined;
    this.#byName = this.#promoted.every((f) => f.field === 'level' || f.field === 'logger') ? new Map() : null;
  }

  #stream(record: LokiRecord): Stream {
    const promoted = this.#promoted;
    for (let i = 0; i < promoted.length; i++) {
      const field = promoted[i]!.field;
      this.#values[i] =
        field === 'level' ? levelLabelOf(record.level) : field === 'logger' ? record.name : text(record.fields[field]);
    }
    return this.#streamOfValues();
  }

  /** The stream of the label values in `#values`. */
  #streamOfValues(): Stream {
    // A trie over the promoted values (one Map per field): no key string built per record.
    const promoted = this.#promoted;
    const values = this.#values;
    let node: Trie = this.#streams;
    for (let i = 0; i < promoted.length; i++) {
      const raw = values[i];
      let next = node.get(raw) as Trie | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(raw === undefined ? raw : detached(raw), next);
      }
      node = next;
    }
    let stream = node.get(LEAF) as Stream | undefined;
    if (stream !== undefined) return stream;
    const labels: Record<string, string> = { ...this.#o.labels };
    let relabelled = false;
    for (let i = 0; i < promoted.length; i++) {
      const value = values[i];
      // Loki drops labels with empty values; leave them out so the selector matches Loki's.
      if (value !== undefined && value !== '') {
        const accepted = acceptedLabelValue(value);
        if (accepted !== value) relabelled = true;
        labels[promoted[i]!.label] = truncateUtf8(accepted, MAX_LABEL_VALUE_BYTES);
      }
    }
    if (Object.keys(labels).length === 0) labels.job = 'pactown';
    stream = { selector: formatSelector(labels), labels, relabelled };
    if (++this.#streamCount > 10_000) {
      this.#streams = new Map();
      this.#streamCount = 0;
      return stream;
    }
    node.set(LEAF, stream);
    return stream;
  }

  #meta(record: LokiRecord): Array<[string, string]> | null {
    let meta: Array<[string, string]> | null = null;
    // Walk the record's few fields rather than every configured metadata name.
    for (const field in record.fields) {
      const name = this.#metaNames.get(field);
      if (name === undefined) continue;
      const value = text(record.fields[field]);
      if (value !== undefined && value !== '') (meta ??= []).push([name, value]);
    }
    return meta;
  }

  /** Shapes a record; returns null when the line is too long and `lineTooLong` is `'drop'`. */
  shape(record: LokiRecord): Shaped | null {
    const { selector, labels, relabelled } = this.#stream(record);
    let line = this.#o.formatter ? this.#o.formatter(record) : this.#format(record, this.#skip);
    let bytes = Buffer.byteLength(line);
    let cut = 0;
    const max = this.#o.maxLineBytes;
    if (bytes > max) {
      if (this.#o.lineTooLong === 'drop') return null;
      line = truncateUtf8(line, max - this.#markerBytes) + this.#o.truncateMarker;
      const before = bytes;
      bytes = Buffer.byteLength(line);
      cut = before - bytes;
    }
    return { selector, labels, line, bytes, meta: this.#meta(record), cut, relabelled };
  }

  /**
   * Shapes an object `JSON.parse` made of a pino line in one pass, without
   * building a record: exactly what `shape(toRecord(value))` gives, for the
   * default logfmt line. Null means "use that instead": another line format,
   * a log-core record, an `err` object, a line that is too long.
   */
  shapeParsed(o: Record<string, unknown>): ShapedLine | null {
    if (!this.#direct || isLokiRecord(o)) return null;
    const err = o.err;
    if (err !== null && typeof err === 'object') return null;
    const level = levelNumberOf(o.level);
    const levelName = levelNameOf(level);
    const name = nameOf(o);

    let head: Head;
    const row = this.#byName === null || !STANDARD_LEVEL[level] ? undefined : this.#headRow(name);
    const cached = row?.[level];
    if (cached !== undefined) head = cached;
    else {
      const promoted = this.#promoted;
      for (let p = 0; p < promoted.length; p++) {
        const field = promoted[p]!.field;
        this.#values[p] =
          field === 'level'
            ? levelLabelOf(level)
            : field === 'logger'
              ? name
              : PINO_KEYS.has(field)
                ? undefined
                : text(o[field]);
      }
      head = { stream: this.#streamOfValues(), prefix: this.#prefixes.get(levelName, name) };
      if (row !== undefined) row[level] = head;
    }
    const { selector, labels, relabelled } = head.stream;

    let out = head.prefix + logfmtValue(messageOf(o));
    let meta: Array<[string, string]> | null = null;
    const rename = this.#o.renameFields;
    const placeKeys = this.#placeKeys;
    let place = 0;
    for (const key in o) {
      // One lookup per key (whether it is pino's own, its metadata name, how it is
      // written), unless the key is the one this place had last time.
      let info: KeyInfo | null;
      if (placeKeys[place] === key) info = this.#placeInfos[place]!;
      else {
        info = this.#keyInfo(key);
        // Short keys only: a long one could be a piece of a large text, kept alive here.
        if (place < MAX_PLACES && key.length < 13) {
          placeKeys[place] = key;
          this.#placeInfos[place] = info;
        }
      }
      place++;
      if (info === null) continue;
      const value = o[key];
      if (info.metaName !== undefined) {
        const t = text(value);
        if (t !== undefined && t !== '') (meta ??= []).push([info.metaName, t]);
      }
      const keyText = info.keyText;
      if (keyText === '' || value === undefined) continue;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        // Nested objects flatten to dotted keys, as the general formatter writes them.
        out = logfmtFields(out, `${rename[key] ?? key}.`, value as Record<string, unknown>, this.#skip, rename, 1);
      } else out += keyText + logfmtValue(value);
    }
    const bytes = Buffer.byteLength(out);
    if (bytes > this.#o.maxLineBytes) return null;
    return { selector, labels, line: out, bytes, meta, cut: 0, relabelled, time: timeOf(o.time) };
  }

  /** The heads of a logger's lines by level number (a bounded cache). */
  #headRow(name: string): Array<Head | undefined> {
    const byName = this.#byName!;
    let row = byName.get(name);
    if (row === undefined) {
      if (byName.size >= 1000) byName.clear();
      row = [];
      byName.set(detached(name), row);
    }
    return row;
  }

  /** What shapeParsed needs to know about a key (null for pino's own keys), cached. */
  #keyInfo(key: string): KeyInfo | null {
    let info = this.#keys.get(key);
    if (info === undefined) {
      if (PINO_KEYS.has(key)) info = null;
      else {
        const keyText = this.#skip.has(key) ? '' : logfmtKey(this.#o.renameFields[key] ?? key);
        info = { keyText: detached(keyText), metaName: this.#metaNames.get(key) };
      }
      if (this.#keys.size >= 1000) this.#keys.clear();
      this.#keys.set(detached(key), info);
    }
    return info;
  }

  /** Byte length a dropped record's line would have had. */
  lineBytes(record: LokiRecord): number {
    return Buffer.byteLength(this.#o.formatter ? this.#o.formatter(record) : this.#format(record, this.#skip));
  }
}
