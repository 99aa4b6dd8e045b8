// Loki 3's distributor rewrites structured metadata names to Prometheus label
// names (otlptranslator's LabelNamer: other characters become `_`, runs of
// `_` collapse, a leading digit gets `key_`) and drops U+FFFD from values.

/** Thrown for a name Loki cannot rewrite; Loki answers the push with 500. */
export class MetadataNameError extends Error {}

function sanitize(name: string): string {
  let out = '';
  let underscore = false;
  for (const ch of name) {
    if (/[a-zA-Z0-9]/.test(ch)) {
      out += ch;
      underscore = false;
    } else if (!underscore) {
      out += '_';
      underscore = true;
    }
  }
  return out;
}

/** Loki's rewrite of one structured metadata name. */
export function metadataName(name: string): string {
  if (name === '') throw new MetadataNameError('label name is empty');
  let normalized: string;
  if (name.length >= 4 && name.startsWith('__') && name.endsWith('__'))
    normalized = `__${sanitize(name.slice(2, -2))}__`;
  else normalized = sanitize(name);
  if (/^[0-9]/.test(normalized)) normalized = `key_${normalized}`;
  if (/^_*$/.test(normalized))
    throw new MetadataNameError(
      `normalization for label name ${JSON.stringify(name)} resulted in invalid name ${JSON.stringify(normalized)}`,
    );
  return normalized;
}

/** The entry's metadata as Loki stores it; the same object when nothing changes. */
export function normalizeMetadata(meta: Record<string, string>): Record<string, string> {
  let changed = false;
  for (const name in meta) {
    if (metadataName(name) !== name || meta[name]!.includes('\ufffd')) {
      changed = true;
      break;
    }
  }
  if (!changed) return meta;
  const out: Record<string, string> = {};
  for (const name in meta) out[metadataName(name)] = meta[name]!.replaceAll('\ufffd', '');
  return out;
}
