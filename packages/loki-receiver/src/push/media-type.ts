// Go's mime.ParseMediaType, which Loki runs on every push's Content-Type
// (pkg/loghttp/push/push.go): its error texts are what a client gets back.

const TSPECIALS = new Set('()<>@,;:\\"/[]?='.split(''));

function isTokenChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return c > 0x20 && c < 0x7f && !TSPECIALS.has(ch);
}

function token(v: string): [string, string] {
  let i = 0;
  while (i < v.length && isTokenChar(v[i]!)) i++;
  return [v.slice(0, i), v.slice(i)];
}

function trimLeft(v: string): string {
  return v.replace(/^\s+/u, '');
}

function quotedOrToken(v: string): [string, string] {
  if (v[0] !== '"') return token(v);
  let out = '';
  for (let i = 1; i < v.length; i++) {
    const ch = v[i]!;
    if (ch === '"') return [out, v.slice(i + 1)];
    if (ch === '\\' && i + 1 < v.length && TSPECIALS.has(v[i + 1]!)) {
      out += v[i + 1]!;
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') return ['', v];
    out += ch;
  }
  return ['', v];
}

function param(v: string): [key: string, value: string, rest: string] {
  let rest = trimLeft(v);
  if (!rest.startsWith(';')) return ['', '', v];
  rest = trimLeft(rest.slice(1));
  const [key, afterKey] = token(rest);
  if (key === '') return ['', '', v];
  rest = trimLeft(afterKey);
  if (!rest.startsWith('=')) return ['', '', v];
  rest = trimLeft(rest.slice(1));
  const [value, afterValue] = quotedOrToken(rest);
  if (value === '' && afterValue === rest) return ['', '', v];
  return [key.toLowerCase(), value, afterValue];
}

/** The media type, lower-cased, or Go's error text (`mime: no media type`, `mime: invalid media parameter`, ...). */
export function parseMediaType(header: string): { type: string } | { error: string } {
  const semi = header.indexOf(';');
  const base = (semi < 0 ? header : header.slice(0, semi)).trim().toLowerCase();
  const [first, afterFirst] = token(base);
  if (first === '') return { error: 'mime: no media type' };
  if (afterFirst !== '') {
    if (!afterFirst.startsWith('/')) return { error: 'mime: expected slash after first token' };
    const [sub, afterSub] = token(afterFirst.slice(1));
    if (sub === '') return { error: 'mime: expected token after slash' };
    if (afterSub !== '') return { error: 'mime: unexpected content after media subtype' };
  }
  let v = semi < 0 ? '' : header.slice(semi);
  const seen = new Set<string>();
  for (;;) {
    v = trimLeft(v);
    if (v === '') break;
    const [key, , rest] = param(v);
    if (key === '') {
      if (rest.trim() === ';') break;
      return { error: 'mime: invalid media parameter' };
    }
    if (seen.has(key)) return { error: 'mime: duplicate parameter name' };
    seen.add(key);
    v = rest;
  }
  return { type: base };
}
