/**
 * Text clean-up applied to captured output before it is written: ANSI escape
 * sequences out, control characters made visible, and byte-bounded tails.
 */

// CSI, OSC (BEL or ST terminated), DCS/SOS/PM/APC strings, escapes with intermediates (a charset
// designation such as `tput sgr0`'s ESC ( B), two-byte escapes, 8-bit CSI: every sequence log-core's
// masking takes out of what it reads, so the stored text is the text that was masked.
const ANSI_PATTERN =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[PX^_][^\x1b]*\x1b\\|\x1b[ -/]+[0-~]|\x1b[0-OQ-WYZ\\`-~]|\x9b[0-?]*[ -/]*[@-~]/g;

/** Removes ANSI colour codes and other terminal escape sequences. */
export function stripAnsi(text: string): string {
  return text.includes('\x1b') || text.includes('\x9b') ? text.replace(ANSI_PATTERN, '') : text;
}

// Every C0 control except TAB and LF, DEL, and the C1 range.
const CONTROL_PATTERN = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

function picture(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return '\ufffd';
}

/**
 * Makes text safe to show in a terminal and in a line-based file: CRLF becomes
 * LF, other control characters become their Unicode control pictures (`␍`,
 * `␀`, `␛`; C1 controls become `�`), lone surrogates become `�`. When
 * `keepEscape` is set, ESC itself is left alone (for kept ANSI colours).
 */
export function showControls(text: string, keepEscape = false): string {
  const wf = text as string & { isWellFormed(): boolean; toWellFormed(): string };
  let out = wf.isWellFormed() ? text : wf.toWellFormed();
  if (out.includes('\r\n')) out = out.replace(/\r\n/g, '\n');
  return out.replace(CONTROL_PATTERN, (ch) => (keepEscape && ch === '\x1b' ? ch : picture(ch)));
}

/** UTF-8 length of a string. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Keeps the last `maxBytes` bytes of `text` (UTF-8), starting on a character
 * boundary. Returns the kept text and how many bytes were cut before it.
 */
export function keepTail(text: string, maxBytes: number): { text: string; cutBytes: number } {
  // Fast path: a string of n UTF-16 units is at most 3n bytes.
  if (text.length * 3 <= maxBytes) return { text, cutBytes: 0 };
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxBytes) return { text, cutBytes: 0 };
  let start = buf.length - maxBytes;
  while (start < buf.length && (buf[start]! & 0xc0) === 0x80) start++;
  return { text: buf.subarray(start).toString('utf8'), cutBytes: start };
}

/** Cuts a value to at most `maxChars` characters, the cut marked (a cut value is not cut again). */
export function capValue(value: string, maxChars: number): string {
  if (value.length <= maxChars) return value;
  let keep = maxChars - `...[${value.length} chars cut]`.length;
  // Never end on the first half of a surrogate pair.
  const code = value.charCodeAt(keep - 1);
  if (code >= 0xd800 && code <= 0xdbff) keep--;
  return `${value.slice(0, keep)}...[${value.length - keep} chars cut]`;
}
