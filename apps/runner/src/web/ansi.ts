/** One run of text with the same SGR attributes. */
export interface AnsiSegment {
  text: string;
  classes: string[];
  /** CSS colour for 256-colour and true-colour codes (set through `style`, never markup). */
  color?: string;
  background?: string;
}

interface State {
  bold: boolean;
  dim: boolean;
  italic: boolean;
  underline: boolean;
  fg: number | string | null;
  bg: number | string | null;
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links).
const ESCAPES = /\u001b\[([0-9;:?]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

function xterm256(n: number): number | string {
  if (n < 16) return n;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v}, ${v}, ${v})`;
  }
  const i = n - 16;
  const step = (c: number) => (c === 0 ? 0 : 55 + c * 40);
  return `rgb(${step(Math.floor(i / 36))}, ${step(Math.floor(i / 6) % 6)}, ${step(i % 6)})`;
}

function extended(codes: number[], at: number): { value: number | string | null; used: number } {
  if (codes[at + 1] === 5 && codes[at + 2] !== undefined) return { value: xterm256(codes[at + 2]! & 255), used: 2 };
  if (codes[at + 1] === 2 && codes.length >= at + 5) {
    const [r, g, b] = codes.slice(at + 2, at + 5).map((c) => Math.min(255, Math.max(0, c)));
    return { value: `rgb(${r}, ${g}, ${b})`, used: 4 };
  }
  return { value: null, used: 0 };
}

function apply(state: State, params: string): void {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) Object.assign(state, { bold: false, dim: false, italic: false, underline: false, fg: null, bg: null });
    else if (c === 1) state.bold = true;
    else if (c === 2) state.dim = true;
    else if (c === 3) state.italic = true;
    else if (c === 4) state.underline = true;
    else if (c === 22) state.bold = state.dim = false;
    else if (c === 23) state.italic = false;
    else if (c === 24) state.underline = false;
    else if (c >= 30 && c <= 37) state.fg = c - 30;
    else if (c >= 90 && c <= 97) state.fg = c - 90 + 8;
    else if (c === 39) state.fg = null;
    else if (c >= 40 && c <= 47) state.bg = c - 40;
    else if (c >= 100 && c <= 107) state.bg = c - 100 + 8;
    else if (c === 49) state.bg = null;
    else if (c === 38 || c === 48) {
      const { value, used } = extended(codes, i);
      if (c === 38) state.fg = value;
      else state.bg = value;
      i += used;
    }
  }
}

function segment(text: string, state: State): AnsiSegment {
  const classes: string[] = [];
  if (state.bold) classes.push('ansi-bold');
  if (state.dim) classes.push('ansi-dim');
  if (state.italic) classes.push('ansi-italic');
  if (state.underline) classes.push('ansi-underline');
  const out: AnsiSegment = { text, classes };
  if (typeof state.fg === 'number') classes.push(`ansi-fg-${state.fg}`);
  else if (typeof state.fg === 'string') out.color = state.fg;
  if (typeof state.bg === 'number') classes.push(`ansi-bg-${state.bg & 7}`);
  else if (typeof state.bg === 'string') out.background = state.bg;
  return out;
}

/**
 * Splits text with ANSI escape codes into styled segments. Colour codes
 * become classes; every other escape sequence is dropped. The text itself
 * is never interpreted as markup.
 */
export function parseAnsi(input: string): AnsiSegment[] {
  const state: State = { bold: false, dim: false, italic: false, underline: false, fg: null, bg: null };
  const segments: AnsiSegment[] = [];
  let last = 0;
  for (const match of input.matchAll(ESCAPES)) {
    if (match.index! > last) segments.push(segment(input.slice(last, match.index), state));
    if (match[2] === 'm') apply(state, match[1] ?? '');
    last = match.index! + match[0].length;
  }
  if (last < input.length) segments.push(segment(input.slice(last), state));
  // Stray control characters other than tab would render as boxes.
  for (const s of segments) s.text = s.text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  const merged: AnsiSegment[] = [];
  for (const s of segments) {
    const prev = merged.at(-1);
    const same =
      prev && prev.color === s.color && prev.background === s.background && prev.classes.join() === s.classes.join();
    if (s.text === '') continue;
    if (same) prev.text += s.text;
    else merged.push(s);
  }
  return merged;
}

/** Renders segments as text nodes inside spans: safe for any service output. */
export function renderAnsi(doc: Document, input: string): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  for (const s of parseAnsi(input)) {
    if (s.classes.length === 0 && !s.color && !s.background) {
      fragment.append(doc.createTextNode(s.text));
      continue;
    }
    const span = doc.createElement('span');
    span.className = s.classes.join(' ');
    if (s.color) span.style.color = s.color;
    if (s.background) span.style.backgroundColor = s.background;
    span.textContent = s.text;
    fragment.append(span);
  }
  return fragment;
}
