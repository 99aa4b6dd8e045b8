/**
 * A Markdown report for people: what happened, the error output, the log
 * tail, what to do, and the files the traceback names. Quoted text can never
 * close its fence or break out of a table cell.
 */
import type { WriteErrorFileOptions } from './options.js';
import { prepareReport } from './prepare.js';
import type { DiedReport, ErrorFileReport } from './types.js';

/** Options of {@link renderMarkdown}: how the report is cleaned and bounded, as for a file. */
export type RenderMarkdownOptions = Pick<
  WriteErrorFileOptions,
  'redact' | 'redactPatterns' | 'stripAnsi' | 'tailBytes' | 'maxFiles' | 'maxFileBytes'
>;

function longestRun(text: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ch) best = Math.max(best, ++run);
    else run = 0;
  }
  return best;
}

/** A fenced block whose fence is longer than any backtick run in `text`. */
export function fence(text: string, lang = 'text'): string {
  const marks = '`'.repeat(Math.max(3, longestRun(text, '`') + 1));
  const body = text.endsWith('\n') ? text : `${text}\n`;
  return `${marks}${lang}\n${body}${marks}`;
}

/** An inline code span that survives backticks and newlines in `text` (and pipes, in a table cell). */
export function inlineCode(text: string, inTable = false): string {
  const oneLine = text.replace(/\r?\n/g, ' ');
  const flat = inTable ? oneLine.replace(/\|/g, '\\|') : oneLine;
  if (flat === '') return '` `';
  const marks = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || (flat.startsWith(' ') && flat.endsWith(' ')) ? ' ' : '';
  return `${marks}${pad}${flat}${pad}${marks}`;
}

/** Plain text safe inside Markdown prose or a table cell. */
export function escapeText(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/([\\`*_[\]|<>~])/g, '\\$1');
}

const PYTHON_FRAME = /File "([^"\n]+)", line (\d+)/g;
const NODE_FRAME = /\bat (?:[^\n(]*?\()?((?:file:\/\/)?[^\s():]+\.(?:[cm]?[jt]sx?)):(\d+):\d+\)?/g;

/** Source files named by a Python or Node stack trace in `text`, in order of appearance, without duplicates. */
export function tracebackFiles(text: string): Array<{ file: string; line: number }> {
  const seen = new Map<string, { file: string; line: number; at: number }>();
  for (const re of [PYTHON_FRAME, NODE_FRAME]) {
    for (const m of text.matchAll(re)) {
      const key = `${m[1]}:${m[2]}`;
      if (!seen.has(key) && !m[1]!.startsWith('node:'))
        seen.set(key, { file: m[1]!, line: Number(m[2]), at: m.index ?? 0 });
    }
  }
  return [...seen.values()]
    .sort((a, b) => a.at - b.at)
    .slice(0, 50)
    .map(({ file, line }) => ({ file, line }));
}

function cutLine(bytes: number): string {
  return bytes > 0 ? `_${bytes} bytes cut before this point._\n\n` : '';
}

/**
 * Renders a died report (or a parsed error file) as Markdown, cleaned and
 * bounded the same way as when it is written. A died report is masked as
 * `writeErrorFile` masks it (`redact`, default `true`); a parsed error file
 * (one with `format`) holds what was written, masked then, so it is not
 * masked again unless `redact` says so.
 */
export function renderMarkdown(report: DiedReport | ErrorFileReport, options: RenderMarkdownOptions = {}): string {
  const written = typeof (report as Partial<ErrorFileReport> | null)?.format === 'string';
  const r = prepareReport(report, written && options.redact === undefined ? { ...options, redact: false } : options);
  const exit = r.exit;
  const exitText = [exit.code === null ? 'unknown' : String(exit.code), exit.signal, exit.description]
    .filter(Boolean)
    .join(', ');
  const rows: Array<[string, string]> = [
    ['Category', inlineCode(r.category, true)],
    ['Service', inlineCode(r.serviceId, true)],
    ['Exit', escapeText(exitText)],
    ['Ended', escapeText(`${r.endedAt}${r.durationMs ? ` (ran ${r.durationMs} ms)` : ''}`)],
    ['Command', inlineCode(r.command, true)],
    ['CWD', inlineCode(r.cwd, true)],
  ];
  if (r.envDir !== null) rows.push(['Venv', inlineCode(r.envDir, true)]);
  if (r.pid !== null) rows.push(['PID', String(r.pid)]);
  const parts = [
    `# Service ${inlineCode(r.serviceId)} failed`,
    `**${escapeText(r.message || exit.message || 'The process ended.')}**`,
    `| Field | Value |\n| --- | --- |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}`,
    `## Error output (stderr)\n\n${cutLine(r.stderrDroppedBytes)}${r.stderrTail ? fence(r.stderrTail) : '_empty_'}`,
    `## Log tail (stdout)\n\n${cutLine(r.stdoutDroppedBytes)}${r.stdoutTail ? fence(r.stdoutTail) : '_empty_'}`,
  ];
  if (r.suggestions.length > 0) {
    const items = r.suggestions.map((s) => {
      const cmd = s.command ? `: ${inlineCode(s.command)}` : '';
      return `- **${escapeText(s.action)}**${s.autoFixable ? ' (auto-fixable)' : ''}: ${escapeText(s.description)}${cmd}`;
    });
    parts.push(`## Suggestions\n\n${items.join('\n')}`);
  }
  const named = tracebackFiles(r.stderrTail);
  if (named.length > 0) {
    const inSandbox = new Set(r.files);
    const items = named.map(
      ({ file, line }) => `- ${inlineCode(file)} line ${line}${inSandbox.has(file) ? ' (service file)' : ''}`,
    );
    parts.push(`## Files in the traceback\n\n${items.join('\n')}`);
  }
  if (r.files.length > 0 || r.filesOmitted > 0) {
    const more = r.filesOmitted > 0 ? `\n\n_and ${r.filesOmitted} more_` : '';
    parts.push(`## Service files\n\n${r.files.map((f) => `- ${inlineCode(f)}`).join('\n')}${more}`);
  }
  return `${parts.join('\n\n')}\n`;
}
