/**
 * Reads error-file text back into a report. Files written by this package
 * give back every field; files written by the Python original (only the
 * seed's lines) give back what they hold, the rest filled with empty values.
 */
import { constants } from 'node:os';
import { CUT_NOTE, MARKER, MORE_FILES_NOTE, NO_NEWLINE_NOTE, unescapeLines } from './markers.js';
import { parseList } from './pylist.js';
import type { ErrorFileReport, FailureCategory, Suggestion } from './types.js';
import { decodeNumber, decodeValue } from './values.js';

const HEADER_LINE = /^([A-Za-z][A-Za-z ]*?): ?(.*)$/;
const SIGNAL_LINE = /^("(?:[^"\\]|\\.)*"|\S+)(?: (\d+))?(?: - (.*))?$/;
const SUGGESTION_LINE = /^ {2}- ("(?:[^"\\]|\\.)*"|[^\s:]+)( \[auto-fixable\])?: (.*)$/;
const COMMAND_LINE = /^ {4}\$ (.*)$/;
const LEGACY_SECTIONS = new Set(['STDERR', 'STDOUT', 'FILES']);

function signalName(n: number): string | null {
  for (const [name, value] of Object.entries(constants.signals)) if (value === n) return name;
  return null;
}

function legacyMessage(code: number | null, signal: string | null): string {
  if (code === null) return '';
  return signal ? `Process killed by ${signal} (exit code: ${code})` : `Process exited with code: ${code}`;
}

function decodeToken(raw: string): string {
  return raw.startsWith('"') ? decodeValue(raw) : raw;
}

interface Section {
  name: string;
  body: string;
}

/** Splits the text into header lines and sections at marker lines. */
function split(text: string, legacy: (head: string[]) => boolean) {
  const lines = text.split('\n');
  let i = 0;
  const head: string[] = [];
  while (i < lines.length && !MARKER.test(lines[i]!)) head.push(lines[i++]!);
  const isLegacy = legacy(head);
  const sections: Section[] = [];
  let current: { name: string; lines: string[] } | undefined;
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const m = MARKER.exec(line);
    if (m && (!isLegacy || LEGACY_SECTIONS.has(m[1]!))) {
      if (current) sections.push({ name: current.name, body: current.lines.join('\n') });
      current = { name: m[1]!, lines: [] };
    } else current?.lines.push(line);
  }
  if (current) sections.push({ name: current.name, body: current.lines.join('\n') });
  return { head, sections, isLegacy };
}

/** Text of a captured-output section and the bytes cut before it. */
function readOutput(body: string, legacy: boolean): { text: string; cut: number } {
  // `body` is everything between the marker line and the next one, joined without the final newline.
  let text = body;
  let cut = 0;
  const firstEnd = text.indexOf('\n');
  const first = firstEnd === -1 ? text : text.slice(0, firstEnd);
  const m = legacy ? null : CUT_NOTE.exec(first);
  if (m) {
    cut = Number(m[1]);
    text = firstEnd === -1 ? '' : text.slice(firstEnd + 1);
  }
  if (legacy) {
    const trimmed = text.replace(/\n+$/, '');
    return { text: trimmed === '' ? '' : `${trimmed}\n`, cut };
  }
  // The writer ends every section with one blank line: drop it.
  if (text.endsWith('\n')) text = text.slice(0, -1);
  else if (text === '') return { text: '', cut };
  if (text.endsWith(`\n${NO_NEWLINE_NOTE}`)) text = text.slice(0, -NO_NEWLINE_NOTE.length - 1);
  else text += '\n';
  return { text: unescapeLines(text), cut };
}

function readFiles(body: string): { files: string[]; omitted: number } {
  const lines = body.split('\n').filter((l) => l.trim() !== '');
  let omitted = 0;
  const listLines: string[] = [];
  for (const line of lines) {
    const m = MORE_FILES_NOTE.exec(line);
    if (m) omitted += Number(m[1]);
    else listLines.push(line);
  }
  const parsed = parseList(listLines.join('\n'));
  return { files: parsed ?? listLines, omitted };
}

function readSuggestions(lines: string[]): Suggestion[] {
  const out: Suggestion[] = [];
  for (const line of lines) {
    const s = SUGGESTION_LINE.exec(line);
    if (s) {
      out.push({ action: decodeToken(s[1]!), description: decodeValue(s[3]!), autoFixable: s[2] !== undefined });
      continue;
    }
    const c = COMMAND_LINE.exec(line);
    const last = out[out.length - 1];
    if (c && last) last.command = decodeValue(c[1]!);
  }
  return out;
}

/** Parses the text of an error file (this package's format or the original's). */
export function parseErrorFile(text: string): ErrorFileReport {
  const { head, sections, isLegacy } = split(text, (h) => !h.some((l) => l.startsWith('Service: ')));
  const fields = new Map<string, string>();
  const suggestionLines: string[] = [];
  for (const line of head) {
    if (line.startsWith('  ')) {
      suggestionLines.push(line);
      continue;
    }
    const m = HEADER_LINE.exec(line);
    if (m && !fields.has(m[1]!)) fields.set(m[1]!, m[2]!);
  }
  const get = (key: string) => {
    const raw = fields.get(key);
    return raw === undefined ? undefined : decodeValue(raw);
  };
  const code = decodeNumber(fields.get('Exit code') ?? '');
  const sig = SIGNAL_LINE.exec(fields.get('Signal') ?? '');
  const signal = sig && sig[1] !== 'none' ? decodeToken(sig[1]!) : null;
  const status = (fields.get('Exit status') ?? '').split(', ');
  const venv = get('Venv');
  // The original's files have no Signal line: a negative code is a signal number.
  const legacySignal = isLegacy && code !== null && code < 0 ? signalName(-code) : null;
  const message = get('Message') ?? legacyMessage(code, legacySignal);
  const out = (name: string) => {
    const s = sections.find((x) => x.name === name);
    return s ? readOutput(s.body, isLegacy) : { text: '', cut: 0 };
  };
  const stderr = out('STDERR');
  const stdout = out('STDOUT');
  const filesSection = sections.find((x) => x.name === 'FILES');
  const files = filesSection ? readFiles(filesSection.body) : { files: [], omitted: 0 };
  const duration = /^(-?[0-9.eE+-]+) ms$/.exec(fields.get('Duration') ?? '');
  return {
    serviceId: get('Service') ?? '',
    pid: decodeNumber(fields.get('PID') ?? ''),
    command: get('Command') ?? '',
    cwd: get('CWD') ?? '',
    envDir: venv === undefined || (isLegacy && venv === 'None') ? null : venv,
    exit: {
      code,
      exitCode: isLegacy ? (legacySignal ? null : code) : decodeNumber(status[0] ?? ''),
      signal: legacySignal ?? signal,
      signalNumber: sig?.[2] !== undefined ? Number(sig[2]) : legacySignal ? -code! : null,
      description: sig?.[3] !== undefined ? decodeValue(sig[3]) : '',
      forced: status.includes('forced'),
      viaShell: status.includes('via shell'),
      message: get('Exit message') ?? message,
    },
    message,
    category: (fields.has('Category') ? decodeToken(fields.get('Category')!) : 'unknown') as FailureCategory,
    suggestions: readSuggestions(suggestionLines),
    stderrTail: stderr.text,
    stderrDroppedBytes: stderr.cut,
    stdoutTail: stdout.text,
    stdoutDroppedBytes: stdout.cut,
    files: files.files,
    filesOmitted: files.omitted,
    startedAt: get('Started') ?? '',
    endedAt: get('Ended') ?? '',
    durationMs: duration ? Number(duration[1]) : 0,
    format: isLegacy ? 'legacy' : 'pactown',
  };
}
