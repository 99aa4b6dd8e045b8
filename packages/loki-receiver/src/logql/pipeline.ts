import { lineFields } from '../detected-fields.js';
import type { Labels } from '../types.js';
import type { Re2 } from './re2.js';

// LogQL pipeline stages after the selector, in the order written (docs:
// LogQL log queries): line filters, the json and logfmt parsers, label
// filters, drop, keep and decolorize. Parsed labels are kept apart from the
// stream labels and structured metadata, as Loki's labels builder does.

/** The line and labels one entry carries through the pipeline. */
export interface PipelineEntry {
  line: string;
  /** Stream labels and structured metadata (read-only here). */
  base: Readonly<Labels>;
  /** Labels added by parsers. */
  parsed: Labels;
  /** Names removed by `drop` (or not kept by `keep`). */
  dropped: Set<string>;
}

export type Stage =
  | { kind: 'line'; test(line: string): boolean }
  | { kind: 'parser'; run(entry: PipelineEntry): void }
  | { kind: 'labels'; test(entry: PipelineEntry): boolean }
  | { kind: 'drop' | 'keep'; names: string[] }
  | { kind: 'decolorize' };

/** What a label reads as in the pipeline: parsed first, then base, '' when absent or dropped. */
export function labelValue(entry: PipelineEntry, name: string): string | undefined {
  if (entry.dropped.has(name)) return undefined;
  if (Object.hasOwn(entry.parsed, name)) return entry.parsed[name];
  if (Object.hasOwn(entry.base, name)) return entry.base[name];
  return undefined;
}

function addParsed(entry: PipelineEntry, name: string, value: string): void {
  // A parsed name that is already a stream label or metadata gets Loki's `_extracted` suffix.
  const target = Object.hasOwn(entry.base, name) ? `${name}_extracted` : name;
  entry.parsed[target] = value;
}

/** `| json` and `| logfmt`: every field of the line becomes a parsed label; a line that is not the format gets `__error__`. */
export function parserStage(format: 'json' | 'logfmt'): Stage {
  return {
    kind: 'parser',
    run(entry) {
      const trimmed = entry.line.trim();
      if (format === 'json' && !(trimmed.startsWith('{') && trimmed.endsWith('}'))) {
        entry.parsed.__error__ = 'JSONParserErr';
        return;
      }
      const fields = lineFields(entry.line).filter(([, , parser]) => parser === format);
      if (format === 'json' && fields.length === 0 && trimmed !== '{}') {
        try {
          JSON.parse(trimmed);
        } catch {
          entry.parsed.__error__ = 'JSONParserErr';
          return;
        }
      }
      for (const [name, value] of fields) addParsed(entry, name, value);
    },
  };
}

// Go's time.ParseDuration units and humanize.ParseBytes units, as label filters compare them.
const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  k: 1e3,
  m: 1e6,
  g: 1e9,
  ki: 1024,
  mi: 1024 ** 2,
  gi: 1024 ** 3,
};

/** Seconds of a Go duration (`1h30m`, `1.5s`), or undefined. */
export function durationSeconds(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/^-/, '')) return undefined;
  const total = parts.reduce((n, p) => n + Number(p[1]) * DURATION_UNITS[p[2]!]!, 0);
  return text.startsWith('-') ? -total : total;
}

/** Bytes of a size (`10KB`, `1.5MiB`, `512 B`), or undefined. */
export function byteCount(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text);
  if (!m) return undefined;
  const unit = BYTE_UNITS[(m[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

export type CompareOp = '==' | '!=' | '>' | '>=' | '<' | '<=';

function compare(a: number, op: CompareOp, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
  }
}

/** One label filter: a string match, or a number / duration / bytes comparison (a value that does not read as one fails). */
export type LabelPredicate = (entry: PipelineEntry) => boolean;

export function stringPredicate(name: string, op: '=' | '!=' | '=~' | '!~', value: string, re?: Re2): LabelPredicate {
  return (entry) => {
    const v = labelValue(entry, name) ?? '';
    if (op === '=') return v === value;
    if (op === '!=') return v !== value;
    return op === '=~' ? re!.test(v) : !re!.test(v);
  };
}

export function numberPredicate(
  name: string,
  op: CompareOp,
  kind: 'number' | 'duration' | 'bytes',
  target: number,
): LabelPredicate {
  return (entry) => {
    const raw = labelValue(entry, name);
    if (raw === undefined) return false;
    const n =
      kind === 'duration'
        ? durationSeconds(raw)
        : kind === 'bytes'
          ? byteCount(raw)
          : raw.trim() === ''
            ? Number.NaN
            : Number(raw);
    if (n === undefined || Number.isNaN(n)) {
      // Loki marks the entry with a conversion error instead of matching it.
      entry.parsed.__error__ = 'LabelFilterErr';
      return false;
    }
    return compare(n, op, target);
  };
}

const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Runs the stages over one entry; false when a filter drops it. */
export function runPipeline(stages: readonly Stage[], entry: PipelineEntry): boolean {
  for (const stage of stages) {
    switch (stage.kind) {
      case 'line':
        if (!stage.test(entry.line)) return false;
        break;
      case 'parser':
        stage.run(entry);
        break;
      case 'labels':
        if (!stage.test(entry)) return false;
        break;
      case 'drop':
        for (const n of stage.names) entry.dropped.add(n);
        break;
      case 'keep': {
        const keep = new Set(stage.names);
        for (const n of [...Object.keys(entry.base), ...Object.keys(entry.parsed)])
          if (!keep.has(n)) entry.dropped.add(n);
        break;
      }
      case 'decolorize':
        entry.line = entry.line.replace(ANSI, '');
        break;
    }
  }
  return true;
}
