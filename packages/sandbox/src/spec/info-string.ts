/** The markpact block kinds the runner acts on; others are kept as prose. */
export type MarkpactKind = 'file' | 'deps' | 'run' | 'test' | 'target' | 'build';

const KINDS = new Set<string>(['file', 'deps', 'run', 'test', 'target', 'build']);

/** What an info string says: `<lang> markpact:<kind> <meta>` or `markpact:<kind> <lang> <meta>`. */
export interface MarkpactInfo {
  kind: string;
  known: boolean;
  lang: string | null;
  meta: Record<string, string>;
}

const TOKEN = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)|"(?:[^"\\]|\\.)*"|\S+/g;

/** Reads an info string; `null` when the block is not a markpact block. */
export function parseInfoString(info: string): MarkpactInfo | null {
  const tokens: Array<{ key?: string; value: string }> = [];
  for (const m of info.matchAll(TOKEN)) {
    if (m[1] !== undefined) tokens.push({ key: m[1], value: unquote(m[2] ?? '') });
    else tokens.push({ value: m[0] });
  }
  const at = tokens.findIndex((t) => t.key === undefined && t.value.toLowerCase().startsWith('markpact:'));
  if (at === -1) return null;
  const kind = tokens[at]!.value.slice('markpact:'.length).toLowerCase();
  let lang: string | null = null;
  if (at > 0 && tokens[0]!.key === undefined) lang = tokens[0]!.value;
  else if (at === 0 && tokens[1] !== undefined && tokens[1].key === undefined) lang = tokens[1].value;
  const meta: Record<string, string> = Object.create(null);
  for (const t of tokens) if (t.key !== undefined) meta[t.key.toLowerCase()] = t.value;
  return { kind, known: KINDS.has(kind), lang: lang?.toLowerCase() ?? null, meta };
}

function unquote(value: string): string {
  if (value.length >= 2 && value[0] === '"' && value.endsWith('"')) return value.slice(1, -1).replace(/\\(.)/g, '$1');
  if (value.length >= 2 && value[0] === "'" && value.endsWith("'")) return value.slice(1, -1);
  return value;
}
