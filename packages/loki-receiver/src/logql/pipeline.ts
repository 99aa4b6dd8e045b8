import { lineFields } from '../detected-fields.js';
import type { Labels } from '../types.js';
import { type PatternMatcher, compilePattern } from './pattern.js';
import type { Re2, Re2Captures } from './re2.js';
import type { Template } from './template.js';

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
  /** Names removed by `drop` (or not kept by `keep`, or renamed by `label_format`). */
  dropped: Set<string>;
  /** The entry's time in epoch nanoseconds (`__timestamp__` in templates). */
  tsNs?: bigint;
}

/** A name of `| drop` / `| keep`, with the matcher its value must meet when one is written (`level="debug"`). */
export interface NamedMatcher {
  name: string;
  matches?: (value: string) => boolean;
}

/** Loki's labels that keep never removes (pkg/logql/log/keep_labels.go). */
const SPECIAL = new Set(['__error__', '__error_details__', '__preserve_error__']);

/** One assignment of `| label_format`: `dst=src` renames, `dst="{{...}}"` sets from a template. */
export interface LabelFormat {
  name: string;
  rename?: string;
  template?: Template;
}

export type Stage =
  | { kind: 'line'; test(line: string): boolean }
  | { kind: 'parser'; run(entry: PipelineEntry): void }
  | { kind: 'labels'; test(entry: PipelineEntry): boolean }
  | { kind: 'drop' | 'keep'; labels: NamedMatcher[] }
  | { kind: 'decolorize' }
  | { kind: 'line_format'; template: Template }
  | { kind: 'label_format'; formats: LabelFormat[] };

/** What a label reads as in the pipeline: parsed first, then base, '' when absent or dropped. */
export function labelValue(entry: PipelineEntry, name: string): string | undefined {
  if (Object.hasOwn(entry.parsed, name)) return entry.parsed[name];
  if (entry.dropped.has(name)) return undefined;
  if (Object.hasOwn(entry.base, name)) return entry.base[name];
  return undefined;
}

/** Sets a label as a later stage reads it (a dropped name comes back). */
export function setLabel(entry: PipelineEntry, name: string, value: string): void {
  entry.parsed[name] = value;
  entry.dropped.delete(name);
}

function deleteLabel(entry: PipelineEntry, name: string): void {
  delete entry.parsed[name];
  entry.dropped.add(name);
}

function setError(entry: PipelineEntry, error: string, details?: string): void {
  // Loki keeps the first error of an entry.
  if (labelValue(entry, '__error__')) return;
  setLabel(entry, '__error__', error);
  if (details !== undefined) setLabel(entry, '__error_details__', details);
}

function addParsed(entry: PipelineEntry, name: string, value: string): void {
  // A parsed name that is already a stream label or metadata gets Loki's `_extracted` suffix.
  const target = Object.hasOwn(entry.base, name) ? `${name}_extracted` : name;
  setLabel(entry, target, value);
}

/** Loki's sanitizeLabelKey: spaces trimmed, a leading digit gets `_`, other characters become `_`. */
function sanitizeKey(key: string): string {
  const k = key.trim();
  return (/^[0-9]/.test(k) ? `_${k}` : k).replace(/[^a-zA-Z0-9_]/g, '_');
}

/** `| regexp "..."`: each named group of the first match becomes a parsed label; no match adds nothing. */
export function regexpStage(re: Re2Captures): Stage {
  return {
    kind: 'parser',
    run(entry) {
      const values = re.exec(entry.line);
      if (!values) return;
      re.names.forEach(([name], i) => {
        const key = sanitizeKey(name);
        if (key !== '') addParsed(entry, key, values[i]!);
      });
    },
  };
}

/** `| pattern "..."`: the named captures become parsed labels. */
export function patternStage(pattern: string): Stage {
  const matcher: PatternMatcher = compilePattern(pattern);
  return {
    kind: 'parser',
    run(entry) {
      const values = matcher.match(entry.line);
      for (let i = 0; i < values.length; i++) addParsed(entry, matcher.names[i]!, values[i]!);
    },
  };
}

/**
 * `| unpack`: a JSON object's string fields become parsed labels and its
 * `_entry` field the line (Promtail's and Alloy's pack stage); the labels are
 * only taken when the object holds `_entry`, as in Loki.
 */
export function unpackStage(): Stage {
  return {
    kind: 'parser',
    run(entry) {
      if (entry.line === '') return;
      if (!entry.line.startsWith('{')) {
        setError(entry, 'JSONParserErr', 'expecting json object(6), but it is not');
        return;
      }
      let object: unknown;
      try {
        object = JSON.parse(entry.line);
      } catch (error) {
        setError(entry, 'JSONParserErr', (error as Error).message);
        return;
      }
      if (object === null || typeof object !== 'object' || Array.isArray(object)) {
        setError(entry, 'JSONParserErr', 'expecting json object(6), but it is not');
        return;
      }
      const fields: Array<[string, string]> = [];
      let packed: string | undefined;
      for (const [key, value] of Object.entries(object as Record<string, unknown>)) {
        if (typeof value !== 'string') continue;
        if (key === '_entry') packed = value;
        else fields.push([key, value.replaceAll('\ufffd', '')]);
      }
      if (packed === undefined) return;
      entry.line = packed;
      for (const [key, value] of fields) {
        const name = Object.hasOwn(entry.base, key) ? `${key}_extracted` : key;
        setLabel(entry, sanitizeKey(name), value);
      }
    },
  };
}

function templateInput(entry: PipelineEntry) {
  return { labels: (name: string) => labelValue(entry, name), line: entry.line, tsNs: entry.tsNs ?? 0n };
}

/** Every label visible at this point, as a template sees them. */
function snapshot(entry: PipelineEntry): (name: string) => string | undefined {
  const all: Labels = {};
  for (const k of Object.keys(entry.base)) if (!entry.dropped.has(k)) all[k] = entry.base[k]!;
  Object.assign(all, entry.parsed);
  return (name) => (Object.hasOwn(all, name) ? all[name] : undefined);
}

function lineFormat(entry: PipelineEntry, template: Template): void {
  if (template.simpleField !== undefined) {
    entry.line = labelValue(entry, template.simpleField) ?? '';
    return;
  }
  const out = template.execute(templateInput(entry));
  if (out.ok) entry.line = out.text;
  else setError(entry, 'TemplateFormatErr', out.error);
}

function labelFormat(entry: PipelineEntry, formats: LabelFormat[]): void {
  let seen: ((name: string) => string | undefined) | undefined;
  for (const f of formats) {
    if (f.rename !== undefined) {
      const v = labelValue(entry, f.rename);
      if (v !== undefined) {
        setLabel(entry, f.name, v);
        if (f.rename !== f.name) deleteLabel(entry, f.rename);
      }
      continue;
    }
    seen ??= snapshot(entry);
    const out = f.template!.execute({ labels: seen, line: entry.line, tsNs: entry.tsNs ?? 0n });
    if (out.ok) setLabel(entry, f.name, out.text);
    else setError(entry, 'TemplateFormatErr', out.error);
  }
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

/** One `name="path"` of `| json name="a.b[0]"` (a path as Loki's jsonexpr reads it) or `| logfmt name="key"`. */
export interface Extraction {
  name: string;
  path: Array<string | number>;
}

/** Reads a jsonexpr path: `a.b`, `a[0]`, `a["key"]`, `["key"]`; undefined when it does not parse. */
export function jsonPath(text: string): Array<string | number> | undefined {
  const out: Array<string | number> = [];
  let i = 0;
  const ident = /[a-zA-Z_][a-zA-Z0-9_]*/y;
  while (i < text.length) {
    if (text[i] === '[') {
      const num = /\[(\d+)\]/y;
      num.lastIndex = i;
      const n = num.exec(text);
      if (n) {
        out.push(Number(n[1]));
        i += n[0].length;
      } else {
        const str = /\["((?:[^"\\]|\\.)*)"\]/y;
        str.lastIndex = i;
        const m = str.exec(text);
        if (!m) return undefined;
        out.push(JSON.parse(`"${m[1]}"`) as string);
        i += m[0].length;
      }
      continue;
    }
    if (text[i] === '.') {
      if (out.length === 0) return undefined;
      i += 1;
    }
    ident.lastIndex = i;
    const m = ident.exec(text);
    if (!m) return undefined;
    out.push(m[0]);
    i += m[0].length;
  }
  return out.length > 0 ? out : undefined;
}

/**
 * `| json a="path", b` (docs: log queries, "JSON", with parameters): only the
 * named paths, each label set ("" when the path is missing or null; objects
 * and arrays as JSON text).
 */
export function jsonExtractionStage(extractions: Extraction[]): Stage {
  return {
    kind: 'parser',
    run(entry) {
      if (entry.line === '') return;
      const first = entry.line[0];
      if (first !== '{' && first !== '[' && first !== '"') {
        setError(entry, 'JSONParserErr');
        return;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(entry.line);
      } catch (error) {
        setError(entry, 'JSONParserErr', (error as Error).message);
        return;
      }
      for (const { name, path } of extractions) {
        let v: unknown = doc;
        for (const step of path) {
          if (v === null || typeof v !== 'object') {
            v = undefined;
            break;
          }
          v =
            typeof step === 'number'
              ? Array.isArray(v)
                ? v[step]
                : undefined
              : Array.isArray(v)
                ? undefined
                : (v as Record<string, unknown>)[step];
        }
        const text =
          v === undefined || v === null ? '' : typeof v === 'string' ? v.replaceAll('\uFFFD', '') : JSON.stringify(v);
        addParsed(entry, name, text);
      }
    },
  };
}

/** `| logfmt a="key", b`: only the named keys become labels. */
export function logfmtExtractionStage(extractions: Extraction[]): Stage {
  return {
    kind: 'parser',
    run(entry) {
      const fields = new Map(
        lineFields(entry.line)
          .filter(([, , parser]) => parser === 'logfmt')
          .map(([name, value]) => [name, value]),
      );
      for (const { name, path } of extractions) {
        const value = fields.get(String(path[0]));
        if (value !== undefined) addParsed(entry, name, value);
      }
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
        for (const { name, matches } of stage.labels) {
          const v = labelValue(entry, name);
          if (v !== undefined && (!matches || matches(v))) deleteLabel(entry, name);
        }
        break;
      case 'keep': {
        for (const n of new Set([...Object.keys(entry.base), ...Object.keys(entry.parsed)])) {
          if (SPECIAL.has(n)) continue;
          const v = labelValue(entry, n);
          if (v === undefined) continue;
          if (!stage.labels.some((k) => k.name === n && (!k.matches || k.matches(v)))) deleteLabel(entry, n);
        }
        break;
      }
      case 'line_format':
        lineFormat(entry, stage.template);
        break;
      case 'label_format':
        labelFormat(entry, stage.formats);
        break;
      case 'decolorize':
        entry.line = entry.line.replace(ANSI, '');
        break;
    }
  }
  return true;
}
