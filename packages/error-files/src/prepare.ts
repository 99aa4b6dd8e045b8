/**
 * Turns a died report into exactly what will be stored: masked once (unless
 * its producer masked it already, `redact: false`), ANSI codes removed,
 * control characters made visible, tails and lists within their limits and
 * the whole file within `maxFileBytes`. Parsing the written file gives this
 * object back.
 */
import { serialize } from './format.js';
import { type NormalizedOptions, type WriteErrorFileOptions, normalizeOptions } from './options.js';
import { buildRedactor } from './redact.js';
import { byteLength, capValue, keepTail, showControls, stripAnsi } from './text.js';
import type { DiedReport, ErrorFileReport, ExitDescription, Suggestion } from './types.js';

const VALUE_CHARS = 4096;
const TIGHT_VALUE_CHARS = 256;
const MAX_SUGGESTIONS = 20;
// Slack for the cut-note lines and escaping when fitting tails into the file limit.
const FIT_SLACK = 256;

const LINE_CONTROLS = /[\t\n]/g;

type Input = DiedReport & { filesOmitted?: number };

function str(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? '' : String(value);
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function wellFormed(text: string): string {
  const t = text as string & { toWellFormed(): string };
  return t.toWellFormed();
}

interface Cleaners {
  value(text: unknown, cap?: number): string;
  /** A FILES name: masked and cleaned like output, with newlines and tabs shown too (a name is one line). */
  name(text: string): string;
  output(text: unknown, dropped: unknown, tailBytes: number): { text: string; cut: number };
}

function cleaners(o: NormalizedOptions): Cleaners {
  // The one masking pass, over the text as it arrived (escapes and controls still in it: log-core's
  // engine reads what a terminal shows). With `redact: false` the producer masked it already.
  const mask =
    typeof o.redact === 'function' ? o.redact : o.redact ? buildRedactor(o.redactPatterns) : (t: string) => t;
  const clean = (text: string) => (o.stripAnsi ? stripAnsi(mask(text)) : mask(text));
  return {
    value: (text, cap = VALUE_CHARS) => capValue(wellFormed(clean(str(text))), cap),
    name: (text) =>
      showControls(clean(text), !o.stripAnsi).replace(LINE_CONTROLS, (ch) => (ch === '\n' ? '\u240a' : '\u2409')),
    output(text, dropped, tailBytes) {
      // The bytes cut before the tail arrive as a number (`dropped`), never inside the text.
      const raw = str(text);
      // Cut early (with room for masking to see whole secrets and private key blocks), mask and clean, then cut to the limit.
      const first = keepTail(raw, tailBytes + 8192);
      // Controls are made visible after masking (which may cut a surrogate pair in two): the text is well-formed.
      const second = keepTail(showControls(clean(first.text), !o.stripAnsi), tailBytes);
      return { text: second.text, cut: count(dropped) + first.cutBytes + second.cutBytes };
    },
  };
}

function prepareExit(exit: Partial<ExitDescription> | undefined, c: Cleaners): ExitDescription {
  const e = exit ?? {};
  return {
    code: num(e.code),
    exitCode: num(e.exitCode),
    signal: e.signal ? c.value(e.signal, 64) : null,
    signalNumber: num(e.signalNumber),
    description: c.value(e.description),
    forced: e.forced === true,
    viaShell: e.viaShell === true,
    message: c.value(e.message),
  };
}

function prepareSuggestions(list: unknown, c: Cleaners, cap: number, max: number): Suggestion[] {
  if (!Array.isArray(list)) return [];
  return list.slice(0, max).map((s: Partial<Suggestion>) => {
    const out: Suggestion = {
      action: c.value(s?.action, 128),
      description: c.value(s?.description, cap),
      autoFixable: s?.autoFixable === true,
    };
    if (s?.command !== undefined && s.command !== null) out.command = c.value(s.command, cap);
    return out;
  });
}

function build(r: Input, o: NormalizedOptions, c: Cleaners, cap: number, maxSuggestions: number): ErrorFileReport {
  const names: unknown[] = Array.isArray(r.files) ? r.files : [];
  const shown = names.slice(0, o.maxFiles).map((f) => c.name(str(f)));
  const stderr = c.output(r.stderrTail, r.stderrDroppedBytes, o.tailBytes);
  const stdout = c.output(r.stdoutTail, r.stdoutDroppedBytes, o.tailBytes);
  const exit = prepareExit(r.exit, c);
  return {
    serviceId: str(r.serviceId),
    pid: num(r.pid),
    command: c.value(r.command, cap),
    cwd: c.value(r.cwd, cap),
    envDir: r.envDir === null || r.envDir === undefined ? null : c.value(r.envDir, cap),
    exit: { ...exit, description: capValue(exit.description, cap), message: capValue(exit.message, cap) },
    message: c.value(r.message, cap),
    category: (c.value(r.category, 64) || 'unknown') as ErrorFileReport['category'],
    suggestions: prepareSuggestions(r.suggestions, c, cap, maxSuggestions),
    stderrTail: stderr.text,
    stderrDroppedBytes: stderr.cut,
    stdoutTail: stdout.text,
    stdoutDroppedBytes: stdout.cut,
    files: shown,
    filesOmitted: count(r.filesOmitted) + (names.length - shown.length),
    startedAt: c.value(r.startedAt, 64),
    endedAt: c.value(r.endedAt, 64),
    durationMs: num(r.durationMs) ?? 0,
    format: 'pactown',
  };
}

/** Cuts both tails so that the serialised file loses `overflow` bytes; stderr keeps the larger share. */
function shrinkTails(p: ErrorFileReport, overflow: number): void {
  const errLen = byteLength(p.stderrTail);
  const outLen = byteLength(p.stdoutTail);
  const avail = Math.max(0, errLen + outLen - overflow - FIT_SLACK);
  const outKeep = Math.min(outLen, Math.max(avail - errLen, Math.floor(avail / 4)));
  const errKeep = Math.min(errLen, avail - outKeep);
  const err = keepTail(p.stderrTail, errKeep);
  const out = keepTail(p.stdoutTail, outKeep);
  p.stderrTail = err.text;
  p.stderrDroppedBytes += err.cutBytes;
  p.stdoutTail = out.text;
  p.stdoutDroppedBytes += out.cutBytes;
}

/**
 * Everything the error file will hold, exactly as `parseErrorFile` will read
 * it back: the round trip `parseErrorFile(serialize(prepareReport(r)))`
 * deep-equals `prepareReport(r)`.
 */
export function prepareReport(report: DiedReport, options?: WriteErrorFileOptions): ErrorFileReport {
  return prepareNormalized(report, normalizeOptions(options));
}

/** {@link prepareReport} with options already normalized. */
export function prepareNormalized(report: DiedReport, o: NormalizedOptions): ErrorFileReport {
  const c = cleaners(o);
  const input = (report ?? {}) as Input;
  let p = build(input, o, c, VALUE_CHARS, MAX_SUGGESTIONS);
  let size = byteLength(serialize(p));
  for (let i = 0; i < 8 && size > o.maxFileBytes && (p.stderrTail !== '' || p.stdoutTail !== ''); i++) {
    shrinkTails(p, size - o.maxFileBytes);
    size = byteLength(serialize(p));
  }
  while (size > o.maxFileBytes && p.files.length > 0) {
    const keep = Math.floor(p.files.length / 2);
    p.filesOmitted += p.files.length - keep;
    p.files = p.files.slice(0, keep);
    size = byteLength(serialize(p));
  }
  if (size > o.maxFileBytes) {
    // Only pathological header values get here: keep short versions and no output.
    p = build(input, o, c, TIGHT_VALUE_CHARS, 5);
    p.files = [];
    p.filesOmitted = count(input.filesOmitted) + (Array.isArray(input.files) ? input.files.length : 0);
    shrinkTails(p, Number.MAX_SAFE_INTEGER);
  }
  return p;
}
