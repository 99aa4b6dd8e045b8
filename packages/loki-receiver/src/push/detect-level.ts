import type { Labels } from '../types.js';

// Loki 3's detected_level (pkg/distributor/field_detection.go): from a level
// label, else a level in structured metadata, else the OTLP severity number,
// else a level field of a JSON or logfmt line, else a level word in the line.

/** The fields Loki looks at, in order (`log_level_fields` default, pkg/validation/limits.go). */
export const LOKI_LEVEL_FIELDS: readonly string[] = Object.freeze([
  'level',
  'LEVEL',
  'Level',
  'log.level',
  'severity',
  'SEVERITY',
  'Severity',
  'SeverityText',
  'lvl',
  'LVL',
  'Lvl',
  'severity_text',
  'Severity_Text',
  'SEVERITY_TEXT',
]);

/** Loki's `log_level_from_json_max_depth` default. */
const JSON_MAX_DEPTH = 2;

const LEVEL_WORDS: ReadonlyArray<readonly [string, string]> = [
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['fatal', 'fatal'],
  ['critical', 'critical'],
  ['error', 'error'],
  ['err', 'error'],
  ['warning', 'warn'],
  ['warn', 'warn'],
  ['info', 'info'],
];

const NAMED: Record<string, string> = {
  trace: 'trace',
  trc: 'trace',
  debug: 'debug',
  dbg: 'debug',
  info: 'info',
  inf: 'info',
  information: 'info',
  warn: 'warn',
  wrn: 'warn',
  warning: 'warn',
  error: 'error',
  err: 'error',
  critical: 'critical',
  fatal: 'fatal',
};

/** A known level name in any case to Loki's name; undefined when unknown. */
function known(value: string): string | undefined {
  return NAMED[value.toLowerCase()];
}

/** Loki's normalizeLogLevel: known names lower-cased to Loki's, others kept as they are. */
export function normalizeLevel(value: string): string {
  return known(value) ?? value;
}

const LEFT = new Set([' ', '\t', '\n', '[', '(', '{', '"', '=']);
const RIGHT = new Set([' ', '\t', '\n', '[', ']', '(', ')', '{', '}', ':', ',', '!', '"', '=']);

function boundedIndex(line: string, word: string): number {
  let from = 0;
  for (;;) {
    const at = line.indexOf(word, from);
    if (at < 0) return -1;
    const before = at - 1;
    const after = at + word.length;
    if ((before < 0 || LEFT.has(line[before]!)) && (after >= line.length || RIGHT.has(line[after]!))) return at;
    from = at + 1;
  }
}

/** The earliest level word standing alone in the line, else `unknown`. */
function levelFromWords(line: string): string {
  const lower = line.toLowerCase();
  let best = lower.length;
  let guess = 'unknown';
  for (const [word, level] of LEVEL_WORDS) {
    const at = boundedIndex(lower, word);
    if (at < 0 || at >= best) continue;
    best = at;
    guess = level;
    if (at === 0) break;
  }
  return guess;
}

function isJsonLine(line: string): boolean {
  const trimmed = line.trim();
  return trimmed.startsWith('{') && trimmed.endsWith('}');
}

function levelFromJson(line: string, fields: ReadonlySet<string>): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return undefined;
  }
  const walk = (value: unknown, depth: number): string | undefined => {
    if (depth >= JSON_MAX_DEPTH || value === null || typeof value !== 'object' || Array.isArray(value))
      return undefined;
    for (const [key, v] of Object.entries(value)) {
      if (typeof v === 'string' && fields.has(key)) return v;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        const found = walk(v, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return walk(doc, 0);
}

const LOGFMT_PAIR = /([^\s="]+)(?:=("(?:[^"\\]|\\.)*"|[^\s]*))?/g;

function levelFromLogfmt(line: string, fields: readonly string[]): string | undefined {
  let bestRank = fields.length;
  let result: string | undefined;
  const wanted = fields.map((f) => f.toLowerCase());
  for (const m of line.matchAll(LOGFMT_PAIR)) {
    const rank = wanted.indexOf(m[1]!.toLowerCase());
    if (rank < 0 || rank >= bestRank) continue;
    let value = m[2] ?? '';
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = value.slice(1, -1);
      }
    }
    result = value;
    bestRank = rank;
    if (rank === 0) break;
  }
  return result;
}

function levelFromSeverityNumber(text: string): string {
  const n = Number.parseInt(text, 10);
  if (!/^[+-]?\d+$/.test(text.trim()) || Number.isNaN(n)) return 'info';
  if (n === 0) return 'unknown';
  if (n <= 4) return 'trace';
  if (n <= 8) return 'debug';
  if (n <= 12) return 'info';
  if (n <= 16) return 'warn';
  if (n <= 20) return 'error';
  if (n <= 24) return 'fatal';
  return 'unknown';
}

function firstOf(labels: Labels | undefined, names: readonly string[]): string | undefined {
  if (!labels) return undefined;
  for (const name of names) if (Object.hasOwn(labels, name)) return labels[name];
  return undefined;
}

/**
 * What Loki adds as `detected_level` to an entry's structured metadata, or
 * undefined when it adds nothing (the entry already has one; then `metadata`
 * has its value normalized in place).
 */
export function detectLevel(
  labels: Labels,
  metadata: Record<string, string> | undefined,
  line: () => string,
): string | undefined {
  if (metadata && Object.hasOwn(metadata, 'detected_level')) {
    metadata.detected_level = normalizeLevel(metadata.detected_level!);
    return undefined;
  }
  const fromLabel = firstOf(labels, LOKI_LEVEL_FIELDS);
  if (fromLabel !== undefined) return normalizeLevel(fromLabel);
  const fromMetadata = firstOf(metadata, LOKI_LEVEL_FIELDS);
  if (fromMetadata !== undefined) return normalizeLevel(fromMetadata);
  const severity = metadata?.severity_number;
  if (severity !== undefined && severity !== '') return levelFromSeverityNumber(severity);
  const text = line();
  let found: string | undefined;
  if (isJsonLine(text)) found = levelFromJson(text, FIELD_SET);
  else if (text.includes('=')) found = levelFromLogfmt(text, LOKI_LEVEL_FIELDS);
  else return levelFromWords(text);
  return (found !== undefined && known(found)) || levelFromWords(text);
}

const FIELD_SET: ReadonlySet<string> = new Set(LOKI_LEVEL_FIELDS);
