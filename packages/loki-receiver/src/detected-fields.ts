// Loki's detected_fields: fields parsed from JSON or logfmt lines and the
// lines' structured metadata, with an inferred type and the number of
// distinct values. The receiver counts exactly where Loki estimates.

export interface DetectedField {
  label: string;
  type: 'string' | 'int' | 'float' | 'boolean' | 'duration' | 'bytes';
  cardinality: number;
  parsers: string[] | null;
  jsonPath?: string[];
}

const DURATION = /^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const BYTES = /^\d+(\.\d+)?\s?([KMGTPE]i?)?B$/i;

function typeOf(value: string): DetectedField['type'] {
  if (/^-?\d+$/.test(value)) return 'int';
  if (/^-?\d+\.\d+([eE][-+]?\d+)?$/.test(value)) return 'float';
  if (value === 'true' || value === 'false') return 'boolean';
  if (DURATION.test(value)) return 'duration';
  if (BYTES.test(value)) return 'bytes';
  return 'string';
}

const LOGFMT = /([^\s="]+)=("(?:[^"\\]|\\.)*"|\S*)/g;

function flatten(value: unknown, path: string[], out: Array<[string[], string]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, [...path, k], out);
  } else if (path.length > 0 && value !== null && !Array.isArray(value)) out.push([path, String(value)]);
}

/** Fields of one line: [name, value, parser, jsonPath?]. */
export function lineFields(line: string): Array<[string, string, string, string[]?]> {
  const trimmed = line.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
    try {
      const pairs: Array<[string[], string]> = [];
      flatten(JSON.parse(trimmed), [], pairs);
      return pairs.map(([path, v]) => [path.join('_').replace(/[^a-zA-Z0-9_]/g, '_'), v, 'json', path]);
    } catch {
      return [];
    }
  }
  const out: Array<[string, string, string]> = [];
  for (const m of line.matchAll(LOGFMT)) {
    let v = m[2]!;
    if (v.startsWith('"')) {
      try {
        v = JSON.parse(v) as string;
      } catch {
        v = v.slice(1, -1);
      }
    }
    out.push([m[1]!.replace(/[^a-zA-Z0-9_]/g, '_'), v, 'logfmt']);
  }
  return out;
}

/** Collects fields over many lines. */
export class FieldCollector {
  readonly #fields = new Map<
    string,
    { values: Set<string>; types: Set<DetectedField['type']>; parsers: Set<string>; jsonPath?: string[] }
  >();

  add(name: string, value: string, parser: string | null, jsonPath?: string[]): void {
    let f = this.#fields.get(name);
    if (!f) this.#fields.set(name, (f = { values: new Set(), types: new Set(), parsers: new Set(), jsonPath }));
    f.values.add(value);
    f.types.add(typeOf(value));
    if (parser) f.parsers.add(parser);
  }

  result(): DetectedField[] {
    return [...this.#fields]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([label, f]) => {
        const field: DetectedField = {
          label,
          type:
            f.types.size === 1
              ? [...f.types][0]!
              : f.types.has('string')
                ? 'string'
                : f.types.has('float')
                  ? 'float'
                  : 'string',
          cardinality: f.values.size,
          parsers: f.parsers.size > 0 ? [...f.parsers].sort() : null,
        };
        if (f.jsonPath) field.jsonPath = f.jsonPath;
        return field;
      });
  }
}
