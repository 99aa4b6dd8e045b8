/**
 * Terminal escape sequences in masked text. A colour code can split a secret
 * key from its value (`\x1b[31mpassword\x1b[0m=hunter2`): a terminal shows,
 * and a reader that strips escapes keeps, `password=hunter2`. So rules run
 * over what is shown (the line with its escape sequences taken out), and the
 * sequences are put back where they were: those outside a masked span at
 * their place, those inside one right after its replacement (so the colour
 * state after the span is the same). The text of a string sequence (an OSC
 * title or hyperlink, a DCS string) is not shown, so it is masked on its own.
 *
 * No sequence crosses a line break (`\n` ends a string sequence's text here),
 * so a block's shown text, line by line, is the shown text of its lines.
 */
import { diffChars } from 'diff';

// CSI (7-bit and 8-bit); OSC up to BEL or ST; DCS, SOS, PM and APC up to ST; any other
// escape (intermediates, then a final byte). Each ends where its own bytes say, whatever
// follows it, so putting one back next to other text cannot make a different sequence.
// What is left of a cut sequence (an ESC whose sequence never ends) is shown text.
const ESCAPE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b\n]*\x1b\\|\x1b(?:[ -/]+[0-~]|[0-OQ-WYZ\\`-~])/g;

/** The start of a sequence that carries text (OSC, DCS, SOS, PM, APC). */
const STRING_START = /\x1b[\]PX^_]/;

/**
 * The diff gives up past this many edits (a long line with many secrets), and
 * past {@link DIFF_BUDGET} divided by the length of what it compares (its cost
 * grows with both): then every sequence in the changed middle goes after it.
 * Deterministic, so masking the same line always gives the same text.
 */
const MAX_EDITS = 256;
const DIFF_BUDGET = 2_000_000;

/** Whether `text` holds a character that can start an escape sequence. */
export function hasEscape(text: string): boolean {
  return text.includes('\x1b') || text.includes('\x9b');
}

/** A line split into what is shown and the escape sequences taken out of it. */
interface Split {
  /** The shown text: the line without its escape sequences. */
  shown: string;
  /** Each sequence, in order. */
  escapes: string[];
  /** Where each sequence stood in `shown` (the number of shown characters before it). */
  at: number[];
}

function split(line: string): Split {
  const escapes: string[] = [];
  const at: number[] = [];
  let shown = '';
  let last = 0;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(line); m !== null; m = ESCAPE.exec(line)) {
    shown += line.slice(last, m.index);
    escapes.push(m[0]);
    at.push(shown.length);
    last = m.index + m[0].length;
  }
  return { shown: shown + line.slice(last), escapes, at };
}

/** The text a string sequence carries (`0;title` of `ESC ] 0;title BEL`), as [start, end] in the sequence; `null` for a sequence without one. */
function payload(seq: string): [number, number] | null {
  const c = seq.charCodeAt(1);
  // ] P X ^ _
  if (seq.charCodeAt(0) !== 0x1b || !(c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f)) return null;
  if (seq.length === 2) return null;
  const end = seq.endsWith('\x07') ? seq.length - 1 : seq.length - 2;
  return end > 2 ? [2, end] : null;
}

/**
 * The shown text of a block (sequences out), then the text each string
 * sequence carries, one per line: what the cheap "may need masking" check
 * reads for a block with escapes.
 */
export function shownText(block: string): string {
  // Most coloured output has no string sequence: no callback per sequence then.
  if (!STRING_START.test(block)) return block.replace(ESCAPE, '');
  let payloads = '';
  const shown = block.replace(ESCAPE, (seq) => {
    const p = payload(seq);
    if (p !== null) payloads += `\n${seq.slice(p[0], p[1])}`;
    return '';
  });
  return shown + payloads;
}

/**
 * Masks a line that holds escape sequences: `mask` runs over the shown text
 * (with the stream's state), `maskPayload` over each string sequence's text;
 * the sequences go back in place. The shown text of the result is exactly
 * `mask(shown)`, so no masked value can come back through a sequence.
 */
export function maskEscaped(
  line: string,
  mask: (shown: string) => string,
  maskPayload: (text: string) => string,
  censor: string,
): string {
  const { shown, escapes, at } = split(line);
  let payloadChanged = false;
  for (let i = 0; i < escapes.length; i++) {
    const seq = escapes[i]!;
    const p = payload(seq);
    if (p === null) continue;
    const text = seq.slice(p[0], p[1]);
    const masked = maskPayload(text);
    if (masked !== text) {
      escapes[i] = seq.slice(0, p[0]) + masked + seq.slice(p[1]);
      payloadChanged = true;
    }
  }
  const masked = mask(shown);
  if (masked === shown) return payloadChanged ? join(shown, escapes, at) : line;
  return rejoin(shown, masked, escapes, at, censor);
}

/** The shown text with the sequences put back at their places. */
function join(shown: string, escapes: readonly string[], at: readonly number[]): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < escapes.length; i++) {
    out += shown.slice(last, at[i]) + escapes[i];
    last = at[i]!;
  }
  return out + shown.slice(last);
}

/**
 * Puts the sequences back into the masked text: a character diff of shown
 * and masked says which stretches are unchanged. A sequence in an unchanged
 * stretch (or on its edge) keeps its place; one inside a changed stretch
 * follows that stretch's replacement. None lands inside a censor.
 */
function rejoin(
  shown: string,
  masked: string,
  escapes: readonly string[],
  at: readonly number[],
  censor: string,
): string {
  // The common start and end are unchanged for sure; only the middle is diffed.
  let head = 0;
  const most = Math.min(shown.length, masked.length);
  while (head < most && shown.charCodeAt(head) === masked.charCodeAt(head)) head++;
  let tail = 0;
  while (
    tail < most - head &&
    shown.charCodeAt(shown.length - 1 - tail) === masked.charCodeAt(masked.length - 1 - tail)
  )
    tail++;
  const from = shown.slice(head, shown.length - tail);
  const to = masked.slice(head, masked.length - tail);
  const edits = Math.min(MAX_EDITS, Math.floor(DIFF_BUDGET / (from.length + to.length + 1)));
  const middle = (edits >= 2 ? diffChars(from, to, { maxEditLength: edits }) : undefined) ?? [
    { value: from, removed: true, added: false },
    { value: to, added: true, removed: false },
  ];

  // Where each sequence goes in `masked`, in order (the mapping never goes back).
  const target: number[] = [];
  let k = 0;
  let pos = head;
  let mpos = head;
  const equal = (len: number) => {
    while (k < at.length && at[k]! <= pos + len) target[k] = mpos + (at[k++]! - pos);
    pos += len;
    mpos += len;
  };
  equal(0);
  for (let i = 0; i < middle.length; ) {
    if (!middle[i]!.added && !middle[i]!.removed) {
      equal(middle[i++]!.value.length);
      continue;
    }
    // A changed stretch: every removal and addition up to the next unchanged part.
    let removed = 0;
    let added = 0;
    for (; i < middle.length && (middle[i]!.added || middle[i]!.removed); i++) {
      if (middle[i]!.added) added += middle[i]!.value.length;
      else removed += middle[i]!.value.length;
    }
    pos += removed;
    mpos += added;
    while (k < at.length && at[k]! < pos) target[k++] = mpos;
    equal(0);
  }
  equal(shown.length - pos);

  // A sequence inside a censor (the diff may pair a letter of a secret with one of the censor) goes after it.
  if (censor !== '') {
    for (let c = masked.indexOf(censor), j = 0; c !== -1 && j < target.length; c = masked.indexOf(censor, c + 1)) {
      const end = c + censor.length;
      while (j < target.length && target[j]! <= c) j++;
      while (j < target.length && target[j]! < end) target[j++] = end;
    }
  }

  let out = '';
  let last = 0;
  for (let i = 0; i < escapes.length; i++) {
    out += masked.slice(last, target[i]) + escapes[i];
    last = target[i]!;
  }
  return out + masked.slice(last);
}
