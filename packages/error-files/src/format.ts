/**
 * Serialises a prepared report into the error-file text. The seed's lines
 * come first and in the seed's order; this package's lines follow them.
 */
import { NO_NEWLINE_NOTE, cutNote, escapeLines, moreFilesNote } from './markers.js';
import { reprList } from './pylist.js';
import type { ErrorFileReport, Suggestion } from './types.js';
import { encodeNumber, encodeValue, quoteJson } from './values.js';

const TOKEN = /^[A-Za-z0-9_.+-]+$/;

/** A bare word when it is one, else a JSON string. */
export function encodeToken(value: string): string {
  return TOKEN.test(value) ? value : quoteJson(value);
}

function signalLine(report: ErrorFileReport): string {
  const { signal, signalNumber, description } = report.exit;
  // `none` stands for no signal; a signal really called that is quoted.
  const name = signal === null ? 'none' : signal === 'none' ? '"none"' : encodeToken(signal);
  const number = signalNumber === null ? '' : ` ${signalNumber}`;
  return `Signal: ${name}${number} - ${encodeValue(description)}`;
}

function statusLine(report: ErrorFileReport): string {
  const parts = [encodeNumber(report.exit.exitCode)];
  if (report.exit.viaShell) parts.push('via shell');
  if (report.exit.forced) parts.push('forced');
  return `Exit status: ${parts.join(', ')}`;
}

function suggestionLines(suggestions: readonly Suggestion[]): string[] {
  if (suggestions.length === 0) return ['Suggestions: none'];
  const lines = ['Suggestions:'];
  for (const s of suggestions) {
    const auto = s.autoFixable ? ' [auto-fixable]' : '';
    lines.push(`  - ${encodeToken(s.action)}${auto}: ${encodeValue(s.description)}`);
    if (s.command !== undefined) lines.push(`    $ ${encodeValue(s.command)}`);
  }
  return lines;
}

/** One captured-output section: marker, cut note, escaped text, blank line. */
function section(name: string, text: string, cutBytes: number): string {
  let out = `--- ${name} ---\n`;
  if (cutBytes > 0) out += `${cutNote(cutBytes)}\n`;
  if (text !== '') {
    out += escapeLines(text);
    if (!text.endsWith('\n')) out += `\n${NO_NEWLINE_NOTE}\n`;
  }
  return `${out}\n`;
}

/** The full text of an error file for a report already run through `prepareReport`. */
export function serialize(report: ErrorFileReport): string {
  const head = [
    `Exit code: ${encodeNumber(report.exit.code)}`,
    `Command: ${encodeValue(report.command)}`,
    `CWD: ${encodeValue(report.cwd)}`,
  ];
  if (report.envDir !== null) head.push(`Venv: ${encodeValue(report.envDir)}`);
  head.push(signalLine(report), statusLine(report), `Message: ${encodeValue(report.message)}`);
  if (report.exit.message !== report.message) head.push(`Exit message: ${encodeValue(report.exit.message)}`);
  head.push(
    `Category: ${encodeToken(report.category)}`,
    `Service: ${encodeValue(report.serviceId)}`,
    `PID: ${encodeNumber(report.pid)}`,
    `Started: ${encodeValue(report.startedAt)}`,
    `Ended: ${encodeValue(report.endedAt)}`,
    `Duration: ${report.durationMs} ms`,
    ...suggestionLines(report.suggestions),
  );
  let files = `--- FILES ---\n${reprList(report.files)}\n`;
  if (report.filesOmitted > 0) files += `${moreFilesNote(report.filesOmitted)}\n`;
  return `${head.join('\n')}\n\n${section('STDERR', report.stderrTail, report.stderrDroppedBytes)}${section('STDOUT', report.stdoutTail, report.stdoutDroppedBytes)}${files}`;
}
